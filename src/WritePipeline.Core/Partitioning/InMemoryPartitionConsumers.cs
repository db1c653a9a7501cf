using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WritePipeline.Partitioning;

/// <summary>
/// The embedded mode's partition consumers: one loop per in-process partition queue, taking what has arrived (up to
/// a batch) in order. A batch that fails is tried again, in place, until it succeeds: there is no broker to give it back.
/// </summary>
public sealed class InMemoryPartitionConsumers(
    InMemoryPartitionQueues queues,
    IPartitionBatchProcessor processor,
    PartitionConsumerStates states,
    PartitionMap partitions,
    IOptions<WorkerOptions> worker,
    ILogger<InMemoryPartitionConsumers> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, partitions.PartitionCount).Select(p => ConsumeAsync(p, stoppingToken)));

    async Task ConsumeAsync(int partition, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var reader = queues.Reader(partition);
        var batch = new List<PartitionDelivery>(worker.Value.MaxBatchSize);
        states.Subscribed(partition);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < worker.Value.MaxBatchSize && reader.TryRead(out var queued))
                {
                    batch.Add(new PartitionDelivery(queued.Message, queued.Message.WriteId.ToString(), Parent: queued.Parent));
                }

                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await processor.ProcessAsync(partition, batch, stoppingToken);
                        break;
                    }
                    catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                    {
                        logger.LogError(ex, "Partition {Partition} could not apply a batch (attempt {Attempt}); trying it again", partition, attempt);
                        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * attempt)), stoppingToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
