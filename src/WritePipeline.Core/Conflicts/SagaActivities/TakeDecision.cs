using MassTransit;
using WritePipeline.Audit;
using WritePipeline.Contracts;
using WritePipeline.Operators;
using WritePipeline.Writes;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>Takes an allowed decision: the write goes 'resolving', an operator's action is audited, the decision goes to the partition.</summary>
public sealed class TakeDecision(ConflictWrites writes, AuditLog audit, DecisionDispatch dispatch) : ConflictActivity<ResolveConflict>
{
    protected override async Task RunAsync(BehaviorContext<ConflictState, ResolveConflict> context)
    {
        var (saga, message) = (context.Saga, context.Message);
        // Tracked: the same instance MoveAsync changes, so it is read once.
        var write = await writes.FindAsync(saga.CorrelationId, context.CancellationToken);
        var statusBefore = write?.Status;
        if (!await writes.MoveAsync(saga.CorrelationId, WriteStatus.Resolving, [WriteStatus.Parked, WriteStatus.Notified], context.CancellationToken))
        {
            // Checked a moment ago in this same transaction; only a concurrent change gets here, and retrying sees it.
            throw new WriteMovedException(saga.CorrelationId);
        }

        if (message.RequestedBy.StartsWith(OperatorPrincipal.ActorPrefix, StringComparison.Ordinal))
        {
            // The operator's action is in the audit log if, and only if, it was taken: same transaction as the saga.
            audit.Add(AuditEntries.ForWrite(
                write!, statusBefore!, AuditActions.ForDecision(message.Action), AuditOutcomes.Taken, message.RequestedBy, message.Reason, message.AuditNote,
                WriteStatus.Resolving, message.Action == ResolutionActions.Resubmit ? message.Body : null));
        }

        saga.ResolutionId = message.ResolutionId;
        saga.ResolutionAction = message.Action;
        saga.ResolutionReason = message.Reason;
        saga.ResolvedBy = message.RequestedBy;
        saga.ResolutionRequestedAt = writes.Now;
        await dispatch.SendAsync(context);
    }
}
