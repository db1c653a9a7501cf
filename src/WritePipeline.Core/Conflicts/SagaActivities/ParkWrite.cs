using MassTransit;
using WritePipeline.Collections;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>
/// Leaves the decision to an operator: on a conflict, or when the submitter could not be told or did not decide in
/// time. The write goes 'parked', and subscribers are told, as the saga enters <c>Parked</c>.
/// </summary>
public sealed class ParkWrite<TEvent>(ConflictWrites writes) : ConflictActivity<TEvent>
    where TEvent : class
{
    protected override Task RunAsync(BehaviorContext<ConflictState, TEvent> context)
    {
        var saga = context.Saga;
        saga.Policy = ConflictPolicies.Park;
        saga.ParkedAt = writes.Now;
        saga.DecisionDeadline = null;
        return Task.CompletedTask;
    }
}
