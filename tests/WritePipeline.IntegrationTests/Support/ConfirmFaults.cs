using System.Collections.Concurrent;

namespace WritePipeline.IntegrationTests.Support;

/// <summary>
/// The broker's confirm of a write going wrong, on the API's way to the real partition queues: for the next write to a
/// record the test names, the confirm is lost (the message is queued, the send still fails, as when the confirm never
/// comes back) or stalled (the send waits until the test lets it fail, and nothing is queued). Every other send goes
/// through as it is.
/// </summary>
public sealed class ConfirmFaults(IPartitionQueues queues) : IPartitionQueues
{
    readonly ConcurrentDictionary<string, Fault> _next = new(StringComparer.Ordinal);

    /// <summary>The next write to <paramref name="key"/> reaches its queue, but its send fails as if the confirm were lost.</summary>
    public void LoseConfirmOfNext(string key) => _next[key] = new Fault(Lose: true);

    /// <summary>
    /// The next write to <paramref name="key"/> waits in its send (<see cref="Stall.Entered"/>) until the test calls
    /// <see cref="Stall.Fail"/>; its message is never queued.
    /// </summary>
    public Stall StallNext(string key)
    {
        var fault = new Fault(Lose: false);
        _next[key] = fault;
        return new Stall(fault.Entered.Task, () => fault.Released.TrySetResult());
    }

    public async Task SendAsync(int partition, PartitionMessage message, CancellationToken cancellationToken)
    {
        if (message is not PartitionMessage.OfWrite || !_next.TryRemove(message.Key, out var fault))
        {
            await queues.SendAsync(partition, message, cancellationToken);
            return;
        }

        if (fault.Lose)
        {
            await queues.SendAsync(partition, message, cancellationToken);
            throw new OperationCanceledException("The test lost the broker's confirm.");
        }

        fault.Entered.TrySetResult();
        await fault.Released.Task;
        throw new OperationCanceledException("The test stalled the broker's confirm until the send gave up.");
    }

    public sealed record Stall(Task Entered, Action Fail);

    sealed record Fault(bool Lose)
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
