namespace WritePipeline.Contracts;

/// <summary>Command: attempt a webhook delivery once more now, whatever became of it so far.</summary>
public sealed record ResendWebhookDelivery
{
    public required Guid DeliveryId { get; init; }
}
