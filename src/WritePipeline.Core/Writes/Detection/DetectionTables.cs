using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;

namespace WritePipeline.Writes.Detection;

/// <summary>What conflict detection keeps: unique values, recorded conflicts and key holds, as sets of <see cref="WritePipelineDbContext"/> (why: see there).</summary>
public static class DetectionTables
{
    extension(WritePipelineDbContext db)
    {
        public DbSet<UniqueValue> UniqueValues => db.Set<UniqueValue>();

        public DbSet<WriteConflict> WriteConflicts => db.Set<WriteConflict>();

        public DbSet<KeyHold> KeyHolds => db.Set<KeyHold>();
    }
}
