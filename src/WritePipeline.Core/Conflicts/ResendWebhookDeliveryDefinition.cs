using MassTransit;
using WritePipeline.Webhooks;

namespace WritePipeline.Conflicts;

/// <summary>
/// Webhook resends are consumed on the conflict saga's endpoint (one queue for the workers' commands, which the
/// webhooks feature is given as <see cref="WebhookCommandAddress"/>): the endpoint, its queue and its policy are the
/// saga's (<see cref="ConflictSagaDefinition"/>).
/// </summary>
public sealed class ResendWebhookDeliveryDefinition : ConsumerDefinition<ResendWebhookDeliveryConsumer>
{
    public ResendWebhookDeliveryDefinition() => EndpointName = ConflictSagaDefinition.QueueName;
}
