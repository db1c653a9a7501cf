using MassTransit;
using WritePipeline.Audit;
using WritePipeline.Contracts;
using WritePipeline.Writes;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>
/// Brings a discarded write back for a new decision, as if just conflicted, audited. The write goes 'parked' (or, if
/// it is no longer discarded, the message is tried again) as the saga enters <c>Parked</c>.
/// </summary>
public sealed class RestoreWrite(ConflictWrites writes, AuditLog audit) : ConflictActivity<RestoreConflict>
{
    protected override async Task RunAsync(BehaviorContext<ConflictState, RestoreConflict> context)
    {
        var saga = context.Saga;
        var write = await writes.FindAsync(saga.CorrelationId, context.CancellationToken);
        if (write is not null)
        {
            // Rolled back with the saga if the write turns out not to be discarded.
            audit.Add(AuditEntries.ForWrite(
                write, WriteStatus.Discarded, AuditActions.Restore, AuditOutcomes.Taken, context.Message.RequestedBy, null, null, WriteStatus.Parked, null));
        }

        saga.Restore(writes.Now);
    }
}
