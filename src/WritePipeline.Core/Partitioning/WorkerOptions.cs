using System.ComponentModel.DataAnnotations;

namespace WritePipeline.Partitioning;

/// <summary>
/// The worker process's settings (section <c>Worker</c>): whether this process consumes the partitions, and how. Here
/// because a worker is what consumes the partitions; read by every feature that runs on workers.
/// </summary>
public sealed class WorkerOptions
{
    /// <summary>
    /// Whether the API host runs the worker in-process (the embedded default hosts API and worker together); read by the
    /// API host's composition (and checked with the other settings). The worker host always runs the worker.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Messages a partition consumer holds at hand (RabbitMQ prefetch). At least twice <see cref="MaxBatchSize"/> keeps
    /// the next batch arriving while one is applied.
    /// </summary>
    [Range(1, 10_000)]
    public int PrefetchCount { get; set; } = 512;

    /// <summary>
    /// Most consecutive writes of one partition applied in one database transaction. A batch never waits to fill: it
    /// takes what has arrived, so a lone write is applied at once. 1 applies one write per transaction.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>First wait before a write that failed for a passing reason (database unreachable) is tried again.</summary>
    public TimeSpan RetryMinimumDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between attempts; a write is retried in place until it succeeds or the worker stops.</summary>
    public TimeSpan RetryMaximumDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a step on one write that fails for a reason of no known kind (a bug, a row that is gone: not the
    /// database being away, not the data) is tried, with the backoff above, before the write ends <c>failed</c> with
    /// <c>processing_error</c> and its partition goes on. A message that fails like that every time would otherwise
    /// stop its partition for good.
    /// </summary>
    [Range(1, 100)]
    public int MaxProcessingAttempts { get; set; } = 5;

    /// <summary>
    /// How long a partition's lease lasts without being renewed, and how long a silent worker counts as alive: a killed
    /// worker's partitions are taken over by the others after about this long (plus one <see cref="HeartbeatInterval"/>).
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a worker says it is alive, renews its leases, and takes or gives up partitions (at most a third of <see cref="LeaseDuration"/>).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a stopping worker lets its partitions finish the batch at hand before it drops them (the broker gives them back).</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a write <c>waiting</c> for a record it references is tried again within its grace
    /// (<see cref="Collections.CollectionOptions.ReferenceGrace"/>): the delay between the parent's arrival and the
    /// child's apply, at most. A retry the partition did not take within five of these is sent again.
    /// </summary>
    public TimeSpan ReferenceRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>What start-up refuses in this section, each as a message naming the setting's full path.</summary>
    public IEnumerable<string> Validate()
    {
        if (RetryMinimumDelay <= TimeSpan.Zero || RetryMaximumDelay < RetryMinimumDelay)
        {
            yield return "WritePipeline:Worker:RetryMinimumDelay must be positive and no longer than RetryMaximumDelay.";
        }

        if (HeartbeatInterval <= TimeSpan.Zero || LeaseDuration < 3 * HeartbeatInterval)
        {
            yield return "WritePipeline:Worker:HeartbeatInterval must be positive and WritePipeline:Worker:LeaseDuration at least three times as long, so that a lease is renewed twice before it can expire.";
        }

        if (StopGrace < TimeSpan.Zero)
        {
            yield return "WritePipeline:Worker:StopGrace must not be negative.";
        }
    }
}
