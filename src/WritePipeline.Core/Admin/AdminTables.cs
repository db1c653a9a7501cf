using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;

namespace WritePipeline.Admin;

/// <summary>The bulk actions' table, as sets of <see cref="WritePipelineDbContext"/> (why: see there).</summary>
public static class AdminTables
{
    extension(WritePipelineDbContext db)
    {
        public DbSet<BulkAction> BulkActions => db.Set<BulkAction>();
    }
}
