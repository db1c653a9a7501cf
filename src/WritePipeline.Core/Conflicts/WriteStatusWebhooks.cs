using WritePipeline.Webhooks;
using WritePipeline.Writes;
using WritePipeline.Writes.Detection;
using WritePipeline.Writes.Status;

namespace WritePipeline.Conflicts;

/// <summary>
/// The webhooks of a conflicted write's events, which the saga sends (<see cref="SagaActivities.ConflictReports"/>): the
/// write's status (<see cref="WriteWebhooks"/>) with its conflict and the saga's decision as they are in the saga's
/// transaction.
/// </summary>
public sealed class WriteStatusWebhooks(WriteWebhooks webhooks)
{
    public Task<IReadOnlyList<WebhookDelivery>> RecordAsync(
        string eventType, Write write, WriteConflict? conflict, ConflictState? saga, CancellationToken cancellationToken) =>
        webhooks.RecordAsync(eventType, write, conflict, WriteDecisions.Of(saga), cancellationToken);
}
