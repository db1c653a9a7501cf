using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;

namespace WritePipeline.Audit;

/// <summary>The audit log's table, as sets of <see cref="WritePipelineDbContext"/> (why: see there).</summary>
public static class AuditTables
{
    extension(WritePipelineDbContext db)
    {
        public DbSet<AuditEntry> AuditEntries => db.Set<AuditEntry>();
    }
}
