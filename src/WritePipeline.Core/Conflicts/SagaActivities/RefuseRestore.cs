using MassTransit;
using WritePipeline.Contracts;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>Answers a restore of a write that is not discarded, or whose discard its saga has not yet heard of.</summary>
public sealed class RefuseRestore(ConflictWrites writes) : ConflictActivity<RestoreConflict>
{
    protected override async Task RunAsync(BehaviorContext<ConflictState, RestoreConflict> context)
    {
        var write = await writes.FindAsync(context.Saga.CorrelationId, context.CancellationToken);
        await context.RespondAsync(new ResolutionRefused
        {
            WriteId = context.Saga.CorrelationId,
            Status = write?.Status ?? "unknown",
            Reason = context.Saga.CurrentState == nameof(ConflictStateMachine.Resolving)
                ? ResolutionPolicy.DecisionUnderway
                : ResolutionPolicy.OnlyDiscardedRestored,
        });
    }
}
