using MassTransit;
using WritePipeline.Audit;
using WritePipeline.Contracts;
using WritePipeline.Webhooks;
using WritePipeline.Writes;
using WritePipeline.Collections;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>Brings a discarded write back for a new decision: parked again, as if just conflicted, and audited.</summary>
public sealed class RestoreWrite(ConflictWrites writes, AuditLog audit, ConflictReports reports) : ConflictActivity<RestoreConflict>
{
    protected override async Task RunAsync(BehaviorContext<ConflictState, RestoreConflict> context)
    {
        var saga = context.Saga;
        var write = await writes.RestoreAsync(saga.CorrelationId, context.CancellationToken)
            ?? throw new WriteMovedException(saga.CorrelationId);
        audit.Add(AuditEntries.ForWrite(
            write, WriteStatus.Discarded, AuditActions.Restore, AuditOutcomes.Taken, context.Message.RequestedBy, null, null, WriteStatus.Parked, null));

        saga.ResolutionId = null;
        saga.ResolutionAction = null;
        saga.ResolutionReason = null;
        saga.ResolvedBy = null;
        saga.ResolutionRequestedAt = null;
        saga.ResolvedAt = null;
        saga.Policy = ConflictPolicies.Park;
        saga.ParkedAt = writes.Now;
        saga.DecisionDeadline = null;
        await reports.ReportAsync(saga, WebhookEvents.Parked, context.CancellationToken);
        await context.RespondAsync(new ResolutionAccepted { WriteId = saga.CorrelationId, ResolutionId = NewId.NextGuid() });
    }
}
