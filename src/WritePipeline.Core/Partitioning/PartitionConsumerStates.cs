using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WritePipeline.Partitioning;

/// <summary>Which partitions this worker owns, and whether each of them has its consumer, for health and logs.</summary>
public sealed class PartitionConsumerStates(PartitionMap partitions, TimeProvider clock)
{
    readonly State[] _states = [.. Enumerable.Range(0, partitions.PartitionCount).Select(_ => new State(false, false, clock.GetUtcNow(), null))];

    /// <summary>This worker took the partition and is about to consume it.</summary>
    public void Taken(int partition) => _states[partition] = new State(true, false, clock.GetUtcNow(), "taking it over");

    public void Subscribed(int partition) => _states[partition] = new State(true, true, clock.GetUtcNow(), null);

    public void Lost(int partition, string reason)
    {
        var state = _states[partition];
        _states[partition] = state.Subscribed
            ? new State(state.Owned, false, clock.GetUtcNow(), reason)
            : state with { Reason = reason };
    }

    /// <summary>The partition is another worker's now (given up, or its lease was lost).</summary>
    public void Left(int partition) => _states[partition] = new State(false, false, clock.GetUtcNow(), null);

    /// <summary>The partitions this worker owns now.</summary>
    public IReadOnlyList<int> Owned => [.. _states.Select((s, p) => (s, p)).Where(x => x.s.Owned).Select(x => x.p)];

    /// <summary>Partitions this worker owns that have had no consumer in it for longer than <paramref name="grace"/>.</summary>
    public IReadOnlyList<(int Partition, DateTimeOffset Since, string? Reason)> WithoutConsumer(TimeSpan grace)
    {
        var now = clock.GetUtcNow();
        return [.. _states.Select((s, p) => (Partition: p, State: s))
            .Where(x => x.State is { Owned: true, Subscribed: false } && now - x.State.Since > grace)
            .Select(x => (x.Partition, x.State.Since, x.State.Reason))];
    }

    sealed record State(bool Owned, bool Subscribed, DateTimeOffset Since, string? Reason);

    /// <summary>Unhealthy while a partition this worker owns has been without its consumer for more than a few seconds.</summary>
    public sealed class HealthCheck(PartitionConsumerStates states) : IHealthCheck
    {
        static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var missing = states.WithoutConsumer(Grace);
            return Task.FromResult(missing.Count == 0
                ? HealthCheckResult.Healthy($"Consuming the partitions this worker owns: {string.Join(", ", states.Owned)}.")
                : HealthCheckResult.Unhealthy(
                    "Partitions without a consumer in this worker: "
                    + string.Join("; ", missing.Select(m => $"{PartitionMap.QueueName(m.Partition)} since {m.Since:O} ({m.Reason})"))));
        }
    }
}
