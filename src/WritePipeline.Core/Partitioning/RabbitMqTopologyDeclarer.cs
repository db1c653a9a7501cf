using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace WritePipeline.Partitioning;

/// <summary>
/// Declares every partition's exchange, quorum queue and binding before the API accepts its first write, even
/// when no worker has started yet. The arguments must equal what the worker's receive endpoints declare
/// (<see cref="RabbitMqPartitionConsumers"/>), or RabbitMQ refuses the second declaration.
/// </summary>
public sealed class RabbitMqTopologyDeclarer(
    IOptions<TransportOptions> transport,
    PartitionMap partitions,
    BrokerTopology topology,
    ILogger<RabbitMqTopologyDeclarer> logger) : BackgroundService
{
    public static IDictionary<string, object?> QueueArguments => new Dictionary<string, object?>
    {
        ["x-queue-type"] = "quorum",
        // One consumer at a time per partition: order per key needs one reader; another worker waits to take over.
        ["x-single-active-consumer"] = true,
    };

    /// <summary>The conflict sagas' queue: shared by all workers (any of them may handle any conflict).</summary>
    public static IDictionary<string, object?> ConflictQueueArguments => new Dictionary<string, object?>
    {
        ["x-queue-type"] = "quorum",
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeclareAsync(stoppingToken);
                topology.MarkDeclared();
                logger.LogInformation("Declared {Partitions} partition queues and the conflict queue on the broker", partitions.PartitionCount);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Could not declare the partition topology; submissions answer 503 until it is declared. Retrying in {Delay}", delay);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    async Task DeclareAsync(CancellationToken cancellationToken)
    {
        await using var connection = await transport.Value.RabbitMq.ConnectAsync("writepipeline-topology", cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        for (var partition = 0; partition < partitions.PartitionCount; partition++)
        {
            await DeclareQueueAsync(channel, PartitionTopology.QueueName(partition), QueueArguments, cancellationToken);
        }

        await DeclareQueueAsync(channel, Conflicts.ConflictTopology.QueueName, ConflictQueueArguments, cancellationToken);
    }

    /// <summary>A durable queue and the fanout exchange of the same name bound to it, as MassTransit declares a receive endpoint.</summary>
    static async Task DeclareQueueAsync(IChannel channel, string name, IDictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments: arguments, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(name, name, routingKey: string.Empty, cancellationToken: cancellationToken);
    }
}
