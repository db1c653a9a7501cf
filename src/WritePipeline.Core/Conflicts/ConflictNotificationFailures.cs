using MassTransit;
using WritePipeline.Contracts;
using WritePipeline.Messaging;
using WritePipeline.Webhooks;

namespace WritePipeline.Conflicts;

/// <summary>A conflict notice that could not be delivered: its saga hears of it and parks the write for an operator.</summary>
public sealed class ConflictNotificationFailures(IBus bus) : IFailedDeliveryHandler
{
    public async Task DeliveryFailedAsync(WebhookDelivery delivery, string reason, CancellationToken cancellationToken)
    {
        if (delivery is { EventType: WebhookEvents.Conflicted, ConflictNumber: { } conflict })
        {
            await bus.SendMandatoryAsync(
                ConflictSagaDefinition.SendAddress,
                new ConflictNotificationFailed { WriteId = delivery.WriteId, DeliveryId = delivery.Id, Conflict = conflict, Reason = reason },
                cancellationToken);
        }
    }
}
