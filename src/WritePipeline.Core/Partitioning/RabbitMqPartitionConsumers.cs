using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace WritePipeline.Partitioning;

/// <summary>
/// The worker's partition consumers on RabbitMQ: one channel and one consumer per partition queue, read strictly in
/// the broker's delivery order, applied in batches, acknowledged after commit. After any broker fault (connection
/// lost, channel closed, consumer cancelled, broker restarted) the partition is consumed again, with backoff,
/// for as long as the worker runs.
/// </summary>
/// <remarks>
/// Why order holds, by construction (docs/architecture.md, "Per-key order"): the channel's consumer dispatch runs one
/// delivery at a time, in delivery order, and does nothing but append it to this session's inbox; one loop takes
/// what the inbox holds, in that order, applies it and acknowledges it, before it takes more. A session ends with its
/// channel, and a new session begins only after the old loop has finished; what the old one had not acknowledged
/// comes back from the broker first, in order (quorum queues keep unacknowledged messages at their place).
/// </remarks>
public sealed class RabbitMqPartitionConsumers(
    IOptions<WritePipelineOptions> options,
    PartitionProcessor processor,
    PartitionConsumerStates states,
    BrokerTopology topology,
    ILogger<RabbitMqPartitionConsumers> logger) : BackgroundService
{
    /// <summary>A partition is tried again at least this often while it has no consumer: a broker back is noticed within it.</summary>
    static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var name = $"writepipeline-worker {Environment.MachineName}/{Environment.ProcessId}";
        await using var connection = new BrokerConnection(options.Value.Transport.RabbitMq, name);
        await Task.WhenAll(Enumerable.Range(0, options.Value.Partitions).Select(p => ConsumeAsync(connection, p, stoppingToken)));
    }

    async Task ConsumeAsync(BrokerConnection connection, int partition, CancellationToken stoppingToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Partition"] = partition });
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await topology.WaitUntilDeclaredAsync(stoppingToken);
                var reason = await RunSessionAsync(connection, partition, () => failures = 0, stoppingToken);
                states.Lost(partition, reason);
                logger.LogWarning("Partition {Queue} lost its channel ({Reason}); consuming it again", PartitionTopology.QueueName(partition), reason);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                states.Lost(partition, ex.Message);
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(failures, 10))));
                logger.LogError(ex, "Partition {Queue} has no consumer in this worker (attempt {Attempt}); trying again in {Delay}", PartitionTopology.QueueName(partition), failures, delay);
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One channel's life: subscribe, then take, apply and acknowledge batches until the channel is gone. Returns why it ended.</summary>
    async Task<string> RunSessionAsync(BrokerConnection connection, int partition, Action subscribed, CancellationToken stoppingToken)
    {
        var worker = options.Value.Worker;
        var queue = PartitionTopology.QueueName(partition);
        var broker = await connection.GetAsync(stoppingToken);
        await using var channel = await broker.CreateChannelAsync(new CreateChannelOptions(false, false, consumerDispatchConcurrency: 1), stoppingToken);
        await channel.BasicQosAsync(0, (ushort)Math.Min(worker.PrefetchCount, ushort.MaxValue), global: false, stoppingToken);

        var inbox = Channel.CreateUnbounded<(ulong Tag, PartitionDelivery Delivery)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var endReason = "stopped";
        void End(string reason)
        {
            endReason = reason;
            inbox.Writer.TryComplete();
            ended.Cancel();
        }

        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            // Called one delivery at a time, in delivery order (dispatch concurrency 1): the inbox keeps that order.
            inbox.Writer.TryWrite((delivery.DeliveryTag, PartitionDelivery.Read(delivery.BasicProperties.Type, delivery.BasicProperties.MessageId, delivery.Body.ToArray())));
            return Task.CompletedTask;
        };
        consumer.ShutdownAsync += (_, shutdown) =>
        {
            End($"channel closed: {shutdown.ReplyCode} {shutdown.ReplyText}");
            return Task.CompletedTask;
        };
        consumer.UnregisteredAsync += (_, _) =>
        {
            End("consumer cancelled by the broker");
            return Task.CompletedTask;
        };

        await channel.BasicConsumeAsync(queue, autoAck: false, consumer: consumer, cancellationToken: stoppingToken);
        states.Subscribed(partition);
        subscribed();
        logger.LogInformation("Consuming partition {Queue}", queue);

        var batch = new List<PartitionDelivery>(worker.MaxBatchSize);
        try
        {
            while (await inbox.Reader.WaitToReadAsync(ended.Token))
            {
                // Whatever has arrived, up to a batch: a lone write is applied at once.
                batch.Clear();
                ulong last = 0;
                while (batch.Count < worker.MaxBatchSize && inbox.Reader.TryRead(out var delivery))
                {
                    batch.Add(delivery.Delivery);
                    last = delivery.Tag;
                }

                await processor.ProcessAsync(partition, batch, ended.Token);
                // Only after the batch committed: a crash before this line gives the batch back, and it is skipped as done.
                await channel.BasicAckAsync(last, multiple: true, ended.Token);
            }
        }
        catch (Exception) when (ended.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            // The channel went away mid-batch: whatever was not acknowledged comes back from the broker, in order.
        }

        return endReason;
    }
}
