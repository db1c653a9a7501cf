using MassTransit;
using WritePipeline.Contracts;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>Answers a restore of a write that is not discarded, or whose discard its saga is still carrying out (try again then).</summary>
public sealed class RefuseRestore(ConflictWrites writes) : ConflictActivity<RestoreConflict>
{
    protected override async Task RunAsync(BehaviorContext<ConflictState, RestoreConflict> context)
    {
        var saga = context.Saga;
        var status = (await writes.FindAsync(saga.CorrelationId, context.CancellationToken))?.Status ?? "unknown";
        var refusal = ResolutionPolicy.RestoreRefusal(status, saga.CurrentState, saga.ResolutionAction)
            ?? new DecisionOutcome.Refused(status, ResolutionPolicy.OnlyDiscardedRestored);
        await context.RespondAsync(new ResolutionRefused
        {
            WriteId = saga.CorrelationId,
            Status = status,
            Reason = refusal.Reason,
            RetryAfter = refusal.RetryAfter,
        });
    }
}
