using MassTransit;
using Microsoft.Extensions.Options;

namespace WritePipeline.Writes;

/// <summary>
/// Endpoint policy of the partition consumer, in one place: a partition's writes are applied one at a time, in
/// the order the queue delivers them. That is what keeps per-key order; concurrency comes from the partitions.
/// </summary>
/// <remarks>
/// Concurrency inside a partition plus MassTransit's <c>UsePartitioner</c> was tried and reordered writes to one key
/// (the ordering test caught 15 applied before 14): MassTransit dispatches concurrent deliveries to the pipe on
/// separate tasks, so two writes of one key can reach the partitioner in either order. Retries happen inside the
/// consumer, so a retried write holds its place too (ENVIRONMENT.md, trap 3).
/// </remarks>
public sealed class ApplyWriteConsumerDefinition(IOptions<WritePipelineOptions> options) : ConsumerDefinition<ApplyWriteConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ApplyWriteConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // Prefetch keeps the next writes at hand while one is applied; it does not make them run concurrently.
        endpointConfigurator.PrefetchCount = options.Value.Worker.PrefetchCount;
        endpointConfigurator.ConcurrentMessageLimit = 1;
    }
}
