using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;

namespace WritePipeline.Conflicts;

/// <summary>The conflicts' tables: unique values, recorded conflicts, key holds and the sagas, as sets of <see cref="WritePipelineDbContext"/> (why: see there).</summary>
public static class ConflictTables
{
    extension(WritePipelineDbContext db)
    {
        public DbSet<UniqueValue> UniqueValues => db.Set<UniqueValue>();

        public DbSet<WriteConflict> WriteConflicts => db.Set<WriteConflict>();

        public DbSet<KeyHold> KeyHolds => db.Set<KeyHold>();

        public DbSet<ConflictState> ConflictSagas => db.Set<ConflictState>();
    }
}
