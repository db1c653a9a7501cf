using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;

namespace WritePipeline.Records;

/// <summary>The records' tables, as sets of <see cref="WritePipelineDbContext"/> (why: see there).</summary>
public static class RecordTables
{
    extension(WritePipelineDbContext db)
    {
        public DbSet<Record> Records => db.Set<Record>();

        public DbSet<RecordVersion> RecordVersions => db.Set<RecordVersion>();
    }
}
