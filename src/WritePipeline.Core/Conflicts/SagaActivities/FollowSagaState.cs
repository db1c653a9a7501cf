using MassTransit;
using WritePipeline.Webhooks;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>
/// Runs on every change of the saga's state (<c>AfterLeaveAny</c>: the state left is the event's data, the saga is
/// already in the new one), in the saga's transaction: the write's status follows (<see cref="ConflictWriteStatus"/>),
/// then the submitter is told of the new state. In this order, because a webhook's payload carries the write's status.
/// </summary>
public sealed class FollowSagaState(ConflictWriteStatus status, ConflictReports reports) : ConflictActivity<State>
{
    protected override async Task RunAsync(BehaviorContext<ConflictState, State> context)
    {
        var saga = context.Saga;
        await status.FollowAsync(saga, context.Message.Name, saga.CurrentState, context.CancellationToken);
        if (AnnouncedBy(saga.CurrentState) is { } eventType)
        {
            await reports.ReportAsync(saga, eventType, context.CancellationToken);
        }
    }

    /// <summary>The webhook event that tells the submitter the saga entered <paramref name="state"/>; none for <c>Resolving</c>, which the decision's answer tells.</summary>
    static string? AnnouncedBy(string state) => state switch
    {
        nameof(ConflictStateMachine.Notified) => WebhookEvents.Conflicted,
        nameof(ConflictStateMachine.Parked) => WebhookEvents.Parked,
        nameof(ConflictStateMachine.Applied) or nameof(ConflictStateMachine.Discarded) or nameof(ConflictStateMachine.Failed) => WebhookEvents.Resolved,
        _ => null,
    };
}
