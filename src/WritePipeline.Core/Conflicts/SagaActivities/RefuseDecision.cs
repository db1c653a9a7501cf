using MassTransit;
using WritePipeline.Contracts;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>Answers a decision the saga does not take, in the policy's words.</summary>
public sealed class RefuseDecision(ConflictWrites writes, DecisionIsAllowed rules) : ConflictActivity<ResolveConflict>
{
    protected override async Task RunAsync(BehaviorContext<ConflictState, ResolveConflict> context)
    {
        var write = await writes.FindAsync(context.Saga.CorrelationId, context.CancellationToken);
        await context.RespondAsync(new ResolutionRefused
        {
            WriteId = context.Saga.CorrelationId,
            Status = write?.Status ?? "unknown",
            Reason = await rules.RefusalAsync(context) ?? ResolutionPolicy.DecisionUnderway,
        });
    }
}
