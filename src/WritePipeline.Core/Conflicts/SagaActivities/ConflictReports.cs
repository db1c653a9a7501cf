using WritePipeline.Webhooks;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>Tells the submitter what became of its write: webhook deliveries recorded with the saga's transaction, their first attempts set.</summary>
public sealed class ConflictReports(ConflictWrites writes, WriteStatusWebhooks webhooks, WebhookTimers timers)
{
    public async Task ReportAsync(ConflictState saga, string eventType, CancellationToken cancellationToken)
    {
        var write = await writes.FindAsync(saga.CorrelationId, cancellationToken);
        if (write is null)
        {
            return;
        }

        var conflict = await writes.ConflictOfAsync(write.Id, cancellationToken);
        var deliveries = await webhooks.RecordAsync(eventType, write, conflict, saga, cancellationToken);
        await timers.SetAsync(deliveries, cancellationToken);
    }
}
