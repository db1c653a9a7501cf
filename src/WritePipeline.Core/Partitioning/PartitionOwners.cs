using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;

namespace WritePipeline.Partitioning;

/// <summary>One partition: the worker holding its lease (null while nobody does), since when, and what the broker says of its queue.</summary>
public sealed record PartitionOwner(int Partition, string? Owner, DateTimeOffset? Since, long? Consumers, long? Ready);

/// <summary>A worker taking part in sharing the partitions, as it last reported itself.</summary>
public sealed record WorkerView(string Id, string Host, int Pid, DateTimeOffset Heartbeat);

/// <summary>Who owns which partition and which workers share them; <see cref="BrokerUnavailableReason"/> says why the queue figures are missing.</summary>
public sealed record PartitionOwnersSnapshot(IReadOnlyList<PartitionOwner> Partitions, IReadOnlyList<WorkerView> Workers, string? BrokerUnavailableReason);

/// <summary>Reads the partitions' owners from the leases and their queues' figures from the broker, for operators.</summary>
public sealed class PartitionOwners(WritePipelineDbContext db, BrokerQueues brokerQueues, TimeProvider clock, PartitionMap partitionMap)
{
    public async Task<PartitionOwnersSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var queues = brokerQueues.ReadAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var leases = await db.PartitionLeases.AsNoTracking().ToDictionaryAsync(l => l.Partition, cancellationToken);
        var workers = await db.Workers.AsNoTracking().OrderBy(w => w.Id).ToListAsync(cancellationToken);
        var (depths, reason) = await queues;
        var partitions = Enumerable.Range(0, partitionMap.PartitionCount).Select(p =>
        {
            // A lease that ran out is nobody's, whatever its row still names.
            var lease = leases.GetValueOrDefault(p) is { Owner: not null } held && held.ExpiresAt >= now ? leases[p] : null;
            var depth = depths?.FirstOrDefault(d => d.Partition == p);
            return new PartitionOwner(p, lease?.Owner, lease?.Since, depth?.Consumers, depth?.Ready);
        }).ToList();
        return new PartitionOwnersSnapshot(partitions, [.. workers.Select(w => new WorkerView(w.Id, w.Host, w.ProcessId, w.Heartbeat))], reason);
    }
}
