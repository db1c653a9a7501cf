namespace WritePipeline.Webhooks;

/// <summary>
/// Reacts to a delivery that failed for good, for the feature whose event it reported: a submitter who cannot be told of
/// a conflict cannot decide about it, so the conflict feature has its saga park the write.
/// </summary>
public interface IFailedDeliveryHandler
{
    Task DeliveryFailedAsync(WebhookDelivery delivery, string reason, CancellationToken cancellationToken);
}
