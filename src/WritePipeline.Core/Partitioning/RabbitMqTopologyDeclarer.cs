using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace WritePipeline.Partitioning;

/// <summary>
/// Declares every partition's exchange, quorum queue and binding before the API accepts its first write, even
/// when no worker has started yet, and the other queues the features declare (<see cref="QueueDeclaration"/>: the conflict
/// saga's). The arguments must equal what the workers' consumers declare (<see cref="RabbitMqPartitionConsumers"/>,
/// the queue's receive endpoint), or RabbitMQ refuses the second declaration.
/// </summary>
public sealed class RabbitMqTopologyDeclarer(
    IOptions<TransportOptions> transport,
    PartitionMap partitions,
    IEnumerable<QueueDeclaration> queues,
    BrokerTopology topology,
    ILogger<RabbitMqTopologyDeclarer> logger) : BackgroundService
{
    public static IDictionary<string, object?> QueueArguments => new Dictionary<string, object?>
    {
        ["x-queue-type"] = "quorum",
        // One consumer at a time per partition: order per key needs one reader; another worker waits to take over.
        ["x-single-active-consumer"] = true,
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
                logger.LogInformation("Declared {Partitions} partition queues and {Queues} on the broker", partitions.PartitionCount, queues.Select(q => q.Name));
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
            await DeclareQueueAsync(channel, PartitionMap.QueueName(partition), QueueArguments, cancellationToken);
        }

        foreach (var queue in queues)
        {
            await DeclareQueueAsync(channel, queue.Name, queue.Arguments.ToDictionary(), cancellationToken);
        }
    }

    /// <summary>A durable queue and the fanout exchange of the same name bound to it, as MassTransit declares a receive endpoint.</summary>
    static async Task DeclareQueueAsync(IChannel channel, string name, IDictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments: arguments, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(name, name, routingKey: string.Empty, cancellationToken: cancellationToken);
    }
}
