using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;

namespace WritePipeline.Partitioning;

/// <summary>The partition leases' and workers' tables, as sets of <see cref="WritePipelineDbContext"/> (why: see there).</summary>
public static class PartitionTables
{
    extension(WritePipelineDbContext db)
    {
        public DbSet<PartitionLease> PartitionLeases => db.Set<PartitionLease>();

        public DbSet<PipelineWorker> Workers => db.Set<PipelineWorker>();
    }
}
