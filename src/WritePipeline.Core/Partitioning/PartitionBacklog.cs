using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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

    Reading? _last;
    int _reading;

    public bool IsFull(int partition) =>
        LastReady() is { } ready && partition < ready.Count && ready[partition] >= api.Value.MaxPartitionBacklog;

    /// <summary>Messages ready per partition as last read (asking again when that is over a second old); null while unknown.</summary>
    public IReadOnlyList<long>? LastReady()
    {
        var last = Volatile.Read(ref _last);
        if (last is null || clock.GetUtcNow() - last.At > MaxAge)
        {
            ReadAgain();
        }

        return last?.Ready;
    }

    void ReadAgain()
    {
        if (Interlocked.CompareExchange(ref _reading, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var (depths, reason) = await queues.ReadAsync(CancellationToken.None);
                var ready = depths?.Where(d => d.Partition is not null).OrderBy(d => d.Partition).Select(d => d.Ready).ToArray();
                if (ready is null)
                {
                    logger.LogDebug("Partition backlogs unknown ({Reason}); submissions are not limited meanwhile", reason);
                }

                Volatile.Write(ref _last, new Reading(clock.GetUtcNow(), ready));
            }
            finally
            {
                Volatile.Write(ref _reading, 0);
            }
        });
    }

    sealed record Reading(DateTimeOffset At, long[]? Ready);
}
