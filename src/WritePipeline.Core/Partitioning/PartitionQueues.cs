namespace WritePipeline.Partitioning;

/// <summary>
/// Puts messages on partition queues. A send completes only once the message is safely queued (on RabbitMQ: routed
/// to its quorum queue and confirmed), and throws otherwise: a caller that answers 202 after it has that promise.
/// Concurrent sends are published back to back and their confirms awaited together.
/// </summary>
public interface IPartitionQueues
{
    Task SendAsync(int partition, PartitionMessage message, CancellationToken cancellationToken);
}
