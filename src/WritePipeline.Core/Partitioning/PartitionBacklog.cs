using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Telemetry;

namespace WritePipeline.Partitioning;

/// <summary>
/// Whether a partition's backlog is over <see cref="ApiOptions.MaxPartitionBacklog"/>, as the broker last said: the
/// messages ready on its queue (up to <see cref="WorkerOptions.PrefetchCount"/> more are in a worker's hands). Read at
/// most about once a second, in the background, so a submission never waits for the broker; while the broker cannot
/// tell (or has not yet been asked) nothing is refused.
/// </summary>
public sealed class PartitionBacklog(BrokerQueues queues, TimeProvider clock, IOptions<ApiOptions> api, ILogger<PartitionBacklog> logger)
{
    static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    readonly BackgroundReading<Reading> _reading = new(
        async cancellationToken =>
        {
            var (depths, reason) = await queues.ReadAsync(cancellationToken);
            var ready = depths?.Where(d => d.Partition is not null).OrderBy(d => d.Partition).Select(d => d.Ready).ToArray();
            if (ready is null)
            {
                logger.LogDebug("Partition backlogs unknown ({Reason}); submissions are not limited meanwhile", reason);
            }

            return new Reading(ready);
        },
        clock,
        () => MaxAge,
        ex => logger.LogWarning(ex, "Could not read the partition backlogs; submissions are limited by the last reading meanwhile"));

    public bool IsFull(int partition) =>
        LastReady() is { } ready && partition < ready.Count && ready[partition] >= api.Value.MaxPartitionBacklog;

    /// <summary>Messages ready per partition as last read (asking again when that is a second old); null while unknown.</summary>
    public IReadOnlyList<long>? LastReady() => _reading.Last()?.Ready;

    sealed record Reading(long[]? Ready);
}
