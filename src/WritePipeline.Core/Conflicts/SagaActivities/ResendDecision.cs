using MassTransit;
using WritePipeline.Contracts;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>The same decision again (its first answer was lost): carried out again; the partition applies it once.</summary>
public sealed class ResendDecision(DecisionDispatch dispatch) : ConflictActivity<ResolveConflict>
{
    protected override Task RunAsync(BehaviorContext<ConflictState, ResolveConflict> context) => dispatch.SendAsync(context);
}
