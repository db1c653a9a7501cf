using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;

namespace WritePipeline.Operators;

/// <summary>The operators' table, as sets of <see cref="WritePipelineDbContext"/> (why: see there).</summary>
public static class OperatorTables
{
    extension(WritePipelineDbContext db)
    {
        public DbSet<Operator> Operators => db.Set<Operator>();
    }
}
