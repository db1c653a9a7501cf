using MassTransit;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Contracts;
using WritePipeline.Data;

namespace WritePipeline.Webhooks;

/// <summary>Attempts a delivery once more, now: back to pending, whatever its attempts so far came to.</summary>
public sealed class ResendWebhookDeliveryConsumer(WritePipelineDbContext db, WebhookTimers timers, TimeProvider clock) : IConsumer<ResendWebhookDelivery>
{
    public async Task Consume(ConsumeContext<ResendWebhookDelivery> context)
    {
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == context.Message.DeliveryId, context.CancellationToken);
        if (delivery is null)
        {
            return;
        }

        delivery.Status = WebhookDeliveryStatus.Pending;
        delivery.NextAttemptAt = clock.GetUtcNow();
        delivery.CompletedAt = null;
        await db.SaveChangesAsync(context.CancellationToken);
        await timers.SetAsync([delivery], context.CancellationToken);
    }
}
