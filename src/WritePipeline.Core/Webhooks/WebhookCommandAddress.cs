namespace WritePipeline.Webhooks;

/// <summary>
/// The worker queue that takes the webhook feature's commands (<c>ResendWebhookDelivery</c>). Webhooks has no queue of
/// its own: the feature whose endpoint hosts the webhook consumers registers its address (the conflict endpoint does).
/// </summary>
public sealed record WebhookCommandAddress(Uri SendAddress);
