using MassTransit;
using Microsoft.Extensions.Options;
using WritePipeline.Contracts;
using WritePipeline.Partitioning;

namespace WritePipeline.Writes;

/// <summary>
/// Endpoint policy of the partition consumer: writes to one key go through one partitioner slot, one after
/// another, in the order the queue delivers them; other keys proceed concurrently. Retries happen inside the
/// consumer, hence inside the slot.
/// </summary>
public sealed class ApplyWriteConsumerDefinition(IOptions<WritePipelineOptions> options) : ConsumerDefinition<ApplyWriteConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ApplyWriteConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        var slots = options.Value.Worker.KeySlots;
        consumerConfigurator.Message<ApplyWrite>(message =>
            message.UsePartitioner(slots, write => PartitionMap.RecordIdentity(write.Message.Collection, write.Message.Key)));
    }
}
