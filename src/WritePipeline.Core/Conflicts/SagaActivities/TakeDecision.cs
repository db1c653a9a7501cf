using MassTransit;
using WritePipeline.Audit;
using WritePipeline.Contracts;
using WritePipeline.Operators;
using WritePipeline.Writes;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>
/// Takes an allowed decision: the saga records it and an operator's action is audited. The write goes 'resolving' as
/// the saga enters <c>Resolving</c>, and only then is the decision sent (<see cref="SendDecision"/>).
/// </summary>
public sealed class TakeDecision(ConflictWrites writes, AuditLog audit) : ConflictActivity<ResolveConflict>
{
    protected override async Task RunAsync(BehaviorContext<ConflictState, ResolveConflict> context)
    {
        var (saga, message) = (context.Saga, context.Message);
        // Read before the write goes 'resolving' (as the saga enters Resolving, next), so the audit says where it stood.
        var write = await writes.FindAsync(saga.CorrelationId, context.CancellationToken);
        if (write is not null && message.RequestedBy.StartsWith(OperatorPrincipal.ActorPrefix, StringComparison.Ordinal))
        {
            // The operator's action is in the audit log if, and only if, it was taken: same transaction as the saga.
            audit.Add(AuditEntries.ForWrite(
                write, write.Status, AuditActions.ForDecision(message.Action), AuditOutcomes.Taken, message.RequestedBy, message.Reason, message.AuditNote,
                WriteStatus.Resolving, message.Action == ResolutionActions.Resubmit ? message.Body : null));
        }

        saga.TakeDecision(message, writes.Now);
    }
}
