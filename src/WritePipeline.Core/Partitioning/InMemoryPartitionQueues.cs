using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace WritePipeline.Partitioning;

/// <summary>
/// The embedded mode's partition queues: one in-process channel per partition, read by
/// <see cref="InMemoryPartitionConsumers"/>. Nothing survives the process (the start-up warning says so).
/// </summary>
public sealed class InMemoryPartitionQueues(IOptions<WritePipelineOptions> options) : IPartitionQueues
{
    readonly Channel<PartitionMessage>[] _queues = [.. Enumerable.Range(0, options.Value.Partitions)
        .Select(_ => Channel.CreateUnbounded<PartitionMessage>(new UnboundedChannelOptions { SingleReader = true }))];

    public Task SendAsync(int partition, PartitionMessage message, CancellationToken cancellationToken) =>
        _queues[partition].Writer.WriteAsync(message, cancellationToken).AsTask();

    public ChannelReader<PartitionMessage> Reader(int partition) => _queues[partition].Reader;
}
