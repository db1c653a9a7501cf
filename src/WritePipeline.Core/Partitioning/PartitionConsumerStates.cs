using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace WritePipeline.Partitioning;

/// <summary>Whether each of this worker's partition consumers is subscribed, for health and logs.</summary>
public sealed class PartitionConsumerStates(IOptions<WritePipelineOptions> options, TimeProvider clock)
{
    readonly State[] _states = [.. Enumerable.Range(0, options.Value.Partitions).Select(_ => new State(false, clock.GetUtcNow(), "starting"))];

    public void Subscribed(int partition) => _states[partition] = new State(true, clock.GetUtcNow(), null);

    public void Lost(int partition, string reason)
    {
        if (_states[partition].Subscribed)
        {
            _states[partition] = new State(false, clock.GetUtcNow(), reason);
        }
        else
        {
            _states[partition] = _states[partition] with { Reason = reason };
        }
    }

    /// <summary>Partitions that have had no consumer in this process for longer than <paramref name="grace"/>.</summary>
    public IReadOnlyList<(int Partition, DateTimeOffset Since, string? Reason)> WithoutConsumer(TimeSpan grace)
    {
        var now = clock.GetUtcNow();
        return [.. _states.Select((s, p) => (Partition: p, s.Since, s.Reason, s.Subscribed)).Where(s => !s.Subscribed && now - s.Since > grace).Select(s => (s.Partition, s.Since, s.Reason))];
    }

    sealed record State(bool Subscribed, DateTimeOffset Since, string? Reason);

    /// <summary>Unhealthy while any partition of this worker has been without its consumer for more than a few seconds.</summary>
    public sealed class HealthCheck(PartitionConsumerStates states) : IHealthCheck
    {
        static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var missing = states.WithoutConsumer(Grace);
            return Task.FromResult(missing.Count == 0
                ? HealthCheckResult.Healthy("Every partition is consumed.")
                : HealthCheckResult.Unhealthy(
                    "Partitions without a consumer in this worker: "
                    + string.Join("; ", missing.Select(m => $"{PartitionTopology.QueueName(m.Partition)} since {m.Since:O} ({m.Reason})"))));
        }
    }
}
