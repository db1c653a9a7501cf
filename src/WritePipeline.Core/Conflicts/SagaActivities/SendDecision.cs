using MassTransit;
using WritePipeline.Contracts;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>
/// Puts the decision taken on its key's partition: once the write went 'resolving', and again when the same decision
/// comes again (its first answer was lost); the partition applies it once.
/// </summary>
public sealed class SendDecision(DecisionDispatch dispatch) : ConflictActivity<ResolveConflict>
{
    protected override Task RunAsync(BehaviorContext<ConflictState, ResolveConflict> context) => dispatch.SendAsync(context);
}
