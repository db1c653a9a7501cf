using MassTransit;
using WritePipeline.Webhooks;
using WritePipeline.Writes;
using WritePipeline.Collections;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>Leaves the decision to an operator: on a conflict, or when the submitter could not be told or did not decide in time.</summary>
public sealed class ParkWrite<TEvent>(ConflictWrites writes, ConflictReports reports) : ConflictActivity<TEvent>
    where TEvent : class
{
    protected override async Task RunAsync(BehaviorContext<ConflictState, TEvent> context)
    {
        var saga = context.Saga;
        saga.Policy = ConflictPolicies.Park;
        saga.ParkedAt = writes.Now;
        saga.DecisionDeadline = null;
        await writes.MoveAsync(saga.CorrelationId, WriteStatus.Parked, [WriteStatus.Conflicted, WriteStatus.Notified], context.CancellationToken);
        await reports.ReportAsync(saga, WebhookEvents.Parked, context.CancellationToken);
    }
}
