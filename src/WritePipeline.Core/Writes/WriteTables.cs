using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;

namespace WritePipeline.Writes;

/// <summary>The writes' table, as sets of <see cref="WritePipelineDbContext"/> (why: see there).</summary>
public static class WriteTables
{
    extension(WritePipelineDbContext db)
    {
        public DbSet<Write> Writes => db.Set<Write>();
    }
}
