using MassTransit;
using MassTransit.Middleware;
using WritePipeline.Conflicts;
using WritePipeline.Partitioning;
using WritePipeline.Writes;

namespace WritePipeline.Messaging;

/// <summary>The worker's receive endpoints: one per partition, on every transport.</summary>
public static class PartitionEndpoints
{
    public static void Configure(IBusRegistrationContext context, IBusFactoryConfigurator bus, WritePipelineOptions options)
    {
        for (var partition = 0; partition < options.Partitions; partition++)
        {
            bus.ReceiveEndpoint(PartitionTopology.QueueName(partition), endpoint =>
            {
                // Writes are sent to one partition's exchange, never published: binding the message type's
                // exchange would copy every write to every partition.
                endpoint.ConfigureConsumeTopology = false;
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    // Must match RabbitMqTopologyDeclarer.QueueArguments.
                    rabbit.SetQuorumQueue();
                    rabbit.SingleActiveConsumer = true;
                }

                endpoint.ConfigureConsumer<ApplyWriteConsumer>(context);
                endpoint.ConfigureConsumer<ApplyResolutionConsumer>(context);

                var recorder = new UnprocessableWriteRecorder(context);
                endpoint.ConfigureError(error =>
                {
                    error.UseFilter(recorder);
                    error.UseFilter(new GenerateFaultFilter());
                    error.UseFilter(new ErrorTransportFilter());
                });
                endpoint.ConfigureDeadLetter(deadLetter =>
                {
                    deadLetter.UseFilter(recorder);
                    deadLetter.UseFilter(new DeadLetterTransportFilter());
                });
            });
        }
    }
}
