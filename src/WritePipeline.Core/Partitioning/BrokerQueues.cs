using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace WritePipeline.Partitioning;

/// <summary>A queue's depth as the broker reports it. <see cref="Partition"/> is null for the conflict queue.</summary>
public sealed record QueueDepth(int? Partition, string Queue, long Ready, long Consumers);

/// <summary>
/// What the broker says of the pipeline's queues right now: messages ready and consumers, per queue. Health probes ask
/// every few seconds, so one connection is kept (opened again after a fault) and only a channel is opened per reading.
/// </summary>
public sealed class BrokerQueues(IOptions<TransportOptions> transport, PartitionMap partitions, IEnumerable<QueueDeclaration> others, ILogger<BrokerQueues> logger) : IAsyncDisposable
{
    readonly BrokerConnection _connection = new(transport.Value.RabbitMq, "writepipeline-queue-depths");

    /// <summary>Long enough for a broker on the network, short enough that a dead one does not stall a dashboard or a probe.</summary>
    static readonly TimeSpan BrokerTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Every partition queue in order, then the queues the features declare (the conflict queue); or why the broker could not be asked.</summary>
    public async Task<(IReadOnlyList<QueueDepth>? Queues, string? Reason)> ReadAsync(CancellationToken cancellationToken)
    {
        if (transport.Value.Kind == TransportKind.InMemory)
        {
            return (null, "The in-memory transport has no broker queues to measure.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(BrokerTimeout);
        try
        {
            var connection = await _connection.GetAsync(timeout.Token);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: timeout.Token);
            var depths = new List<QueueDepth>(partitions.PartitionCount + 1);
            for (var partition = 0; partition < partitions.PartitionCount; partition++)
            {
                depths.Add(await DepthAsync(channel, partition, PartitionMap.QueueName(partition), timeout.Token));
            }

            foreach (var queue in others)
            {
                depths.Add(await DepthAsync(channel, null, queue.Name, timeout.Token));
            }

            return (depths, null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not read the queue depths from the broker");
            return (null, timeout.IsCancellationRequested
                ? $"The broker did not answer within {BrokerTimeout.TotalSeconds:0} s."
                : $"The broker could not be asked: {ex.Message}");
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>A passive declare: the queue's counts, without creating it (a missing queue is an error, not a new queue).</summary>
    static async Task<QueueDepth> DepthAsync(IChannel channel, int? partition, string queue, CancellationToken cancellationToken)
    {
        var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
        return new QueueDepth(partition, queue, ok.MessageCount, ok.ConsumerCount);
    }

    /// <summary>
    /// Degraded while a partition queue has no consumer in any worker: writes are still accepted, but wait there
    /// until a worker consumes it again. Every process on RabbitMQ reports it, the API too.
    /// </summary>
    public sealed class HealthCheck(BrokerQueues queues) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var (depths, reason) = await queues.ReadAsync(cancellationToken);
            if (depths is null)
            {
                return HealthCheckResult.Degraded(reason);
            }

            var unconsumed = depths.Where(d => d.Consumers == 0).ToList();
            return unconsumed.Count == 0
                ? HealthCheckResult.Healthy("Every queue has a consumer.")
                : HealthCheckResult.Degraded("Queues without a consumer: " + string.Join(", ", unconsumed.Select(d => $"{d.Queue} ({d.Ready} ready)")));
        }
    }
}
