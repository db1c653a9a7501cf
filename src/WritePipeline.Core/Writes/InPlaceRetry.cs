using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Partitioning;

namespace WritePipeline.Writes;

/// <summary>
/// Retries a partition's database step in place, holding the partition, with capped exponential backoff
/// (<see cref="WorkerOptions.RetryMinimumDelay"/> to <see cref="WorkerOptions.RetryMaximumDelay"/>), without limit:
/// giving up would drop writes or let later writes of a key overtake them (<see cref="Bounded"/> is the exception: a
/// step on one write that can never succeed ends that write failed instead). If the worker stops meanwhile, the
/// messages go back to the queue, in their place. From the tenth attempt on it is logged as an error.
/// </summary>
public sealed class InPlaceRetry(IOptions<WorkerOptions> options, ILogger<InPlaceRetry> logger)
{
    /// <summary>Transient failures and lost races: the policy of every step but those that count races.</summary>
    public static bool Passing(Exception exception, int _) => TransientFailures.IsTransient(exception);

    /// <summary>
    /// A hand-over to the conflict saga after its step committed: whatever the broker says (unreachable, no confirm,
    /// returned), it is sent again until it is taken, so that no committed conflict or decision goes unheard. Only
    /// a lost lease stops it (the next owner gets the message again, finds the step done, and hands it over).
    /// </summary>
    public static bool UntilSent(Exception exception, int _) => exception is not Partitioning.PartitionLeaseLostException;

    /// <summary>A race settled by re-reading wins within a few attempts; one that does not is not a race.</summary>
    const int MaxRaceAttempts = 10;

    /// <summary>
    /// The policy of a step on one write (<see cref="FailedWrites"/>): passing failures without limit, a lost race up
    /// to ten times, and a failure of no known kind (a bug, a row that is gone) up to
    /// <see cref="WorkerOptions.MaxProcessingAttempts"/> times; then it is thrown, and the write ends failed so that its
    /// partition goes on. Each call counts on its own: use one per step.
    /// </summary>
    public Func<Exception, int, bool> Bounded()
    {
        var races = 0;
        var unexpected = 0;
        var maxUnexpected = options.Value.MaxProcessingAttempts;
        return (exception, _) => TransientFailures.Classify(exception) switch
        {
            FailureKind.Transient => true,
            FailureKind.Race => ++races < MaxRaceAttempts,
            FailureKind.Other when TransientFailures.IsUnexpected(exception) => ++unexpected < maxUnexpected,
            _ => false,
        };
    }

    /// <summary>Runs <paramref name="step"/> until it succeeds, or fails with what <paramref name="retried"/> does not retry (thrown).</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> step, Func<Exception, int, bool> retried, CancellationToken cancellationToken)
    {
        var worker = options.Value;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await step();
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && retried(ex, attempt))
            {
                var delay = TransientFailures.Backoff(attempt, worker.RetryMinimumDelay, worker.RetryMaximumDelay);
                logger.Log(
                    attempt >= 10 ? LogLevel.Error : LogLevel.Warning,
                    ex,
                    "A partition step failed ({FailureKind}, attempt {Attempt}); retrying in place in {Delay}",
                    TransientFailures.Classify(ex),
                    attempt,
                    delay);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    public Task RunAsync(Func<Task> step, Func<Exception, int, bool> retried, CancellationToken cancellationToken) =>
        RunAsync(
            async () =>
            {
                await step();
                return true;
            },
            retried,
            cancellationToken);
}
