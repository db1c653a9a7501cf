using MassTransit;
using WritePipeline.Contracts;
using WritePipeline.Writes;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>Whether the event is about the conflict the write is in now (recorded with the write's status, in its transaction).</summary>
public sealed class IsTheWritesConflictNow(ConflictWrites writes) : IConflictCondition<WriteConflicted>
{
    public async Task<bool> IsMetAsync(BehaviorContext<ConflictState, WriteConflicted> context)
    {
        var write = await writes.FindAsync(context.Saga.CorrelationId, context.CancellationToken);
        if (write?.Status != WriteStatus.Conflicted)
        {
            return false;
        }

        var conflict = await writes.ConflictOfAsync(write.Id, context.CancellationToken);
        return conflict?.ConflictId == context.Message.ConflictId;
    }
}
