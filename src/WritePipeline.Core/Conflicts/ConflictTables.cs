using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;

namespace WritePipeline.Conflicts;

/// <summary>The conflict sagas' table, as a set of <see cref="WritePipelineDbContext"/> (why: see there).</summary>
public static class ConflictTables
{
    extension(WritePipelineDbContext db)
    {
        public DbSet<ConflictState> ConflictSagas => db.Set<ConflictState>();
    }
}
