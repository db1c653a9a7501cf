using MassTransit;

namespace WritePipeline.Conflicts;

/// <summary>The worker's receive endpoint for conflict sagas: one quorum queue shared by every worker.</summary>
public static class ConflictEndpoint
{
    public static void Configure(IBusRegistrationContext context, IBusFactoryConfigurator bus)
    {
        bus.ReceiveEndpoint(ConflictTopology.QueueName, endpoint =>
        {
            // Saga messages are sent to this queue's exchange, never published (see ConflictTopology).
            endpoint.ConfigureConsumeTopology = false;
            if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
            {
                // Must match RabbitMqTopologyDeclarer.ConflictQueueArguments.
                rabbit.SetQuorumQueue();
            }

            endpoint.ConfigureSaga<ConflictState>(context);
            endpoint.ConfigureConsumer<Webhooks.ResendWebhookDeliveryConsumer>(context);
        });
    }
}
