using System.Diagnostics;
using System.Threading.Channels;

namespace WritePipeline.Partitioning;

/// <summary>
/// The embedded mode's partition queues: one in-process channel per partition, read by
/// <see cref="InMemoryPartitionConsumers"/>. Nothing survives the process (the start-up warning says so). A message
/// takes the sender's trace context along, as the RabbitMQ queues' headers do.
/// </summary>
public sealed class InMemoryPartitionQueues(PartitionMap partitions) : IPartitionQueues
{
    readonly Channel<(PartitionMessage Message, ActivityContext Parent)>[] _queues = [.. Enumerable.Range(0, partitions.PartitionCount)
        .Select(_ => Channel.CreateUnbounded<(PartitionMessage, ActivityContext)>(new UnboundedChannelOptions { SingleReader = true }))];

    public Task SendAsync(int partition, PartitionMessage message, CancellationToken cancellationToken) =>
        _queues[partition].Writer.WriteAsync((message, Activity.Current?.Context ?? default), cancellationToken).AsTask();

    public ChannelReader<(PartitionMessage Message, ActivityContext Parent)> Reader(int partition) => _queues[partition].Reader;
}
