using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WritePipeline.Partitioning;

/// <summary>
/// Which worker may apply one partition's writes. A worker takes a lease by moving its epoch on (only when nobody
/// holds it or the holder let it expire), renews it while it consumes, and gives it up when the partition belongs
/// to another worker. Every transaction a partition step commits first checks, in that transaction, that the lease
/// still has the epoch the step began with (<see cref="PartitionFence"/>): a worker that lost its lease commits nothing.
/// </summary>
public sealed class PartitionLease
{
    public int Partition { get; set; }

    /// <summary>The worker holding the lease, or null when it was given up.</summary>
    public string? Owner { get; set; }

    /// <summary>Moves on each time the lease is taken: the fence every partition transaction checks.</summary>
    public long Epoch { get; set; }

    /// <summary>When the current owner took it.</summary>
    public DateTimeOffset? Since { get; set; }

    /// <summary>Another worker may take the lease after this, unless the owner renewed it.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    public sealed class Configuration : IEntityTypeConfiguration<PartitionLease>
    {
        public void Configure(EntityTypeBuilder<PartitionLease> builder)
        {
            builder.ToTable("partition_leases");
            builder.HasKey(l => l.Partition);
            builder.Property(l => l.Partition).ValueGeneratedNever();
            builder.Property(l => l.Owner).HasMaxLength(PipelineWorker.MaxIdLength);
        }
    }
}

/// <summary>A worker process that takes part in sharing the partitions, and when it last said it was alive.</summary>
public sealed class PipelineWorker
{
    public const int MaxIdLength = 120;

    public required string Id { get; set; }

    public required string Host { get; set; }

    public int ProcessId { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset Heartbeat { get; set; }

    public sealed class Configuration : IEntityTypeConfiguration<PipelineWorker>
    {
        public void Configure(EntityTypeBuilder<PipelineWorker> builder)
        {
            builder.ToTable("workers");
            builder.HasKey(w => w.Id);
            builder.Property(w => w.Id).HasMaxLength(MaxIdLength);
            builder.Property(w => w.Host).HasMaxLength(200);
        }
    }
}
