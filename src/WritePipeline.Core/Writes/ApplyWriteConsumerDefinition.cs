using MassTransit;
using Microsoft.Extensions.Options;

namespace WritePipeline.Writes;

/// <summary>
/// Endpoint policy of the partition consumer, in one place. On RabbitMQ a partition's prefetched writes run
/// concurrently, and <see cref="Partitioning.PerKeyDeliveryOrder"/> keeps one key's writes in delivery order. The
/// in-memory transport has no delivery tags to order by, so there a partition applies one write at a time.
/// </summary>
/// <remarks>
/// MassTransit's <c>UsePartitioner</c> is not used: with concurrent dispatch, two writes of one key can reach it in
/// either order (the ordering test caught 15 applied before 14).
/// </remarks>
public sealed class ApplyWriteConsumerDefinition(IOptions<WritePipelineOptions> options) : ConsumerDefinition<ApplyWriteConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ApplyWriteConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        var worker = options.Value.Worker;
        endpointConfigurator.PrefetchCount = worker.PrefetchCount;
        endpointConfigurator.ConcurrentMessageLimit = endpointConfigurator is IRabbitMqReceiveEndpointConfigurator
            ? Math.Min(worker.ConcurrentWritesPerPartition, worker.PrefetchCount)
            : 1;
    }
}
