using WritePipeline.Webhooks;

namespace WritePipeline.Writes;

/// <summary>
/// Records the webhook deliveries a write's event (applied, held) owes its client, in the caller's unit of work. The
/// payload is the write's status resource (<see cref="Status.WriteWebhooks"/>).
/// </summary>
public interface IWriteWebhooks
{
    Task<IReadOnlyList<WebhookDelivery>> RecordAsync(string eventType, Write write, CancellationToken cancellationToken);
}
