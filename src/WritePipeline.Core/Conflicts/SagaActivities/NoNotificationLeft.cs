using MassTransit;
using WritePipeline.Contracts;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>Whether every notification of the current conflict failed: nobody is left to tell.</summary>
public sealed class NoNotificationLeft(ConflictWrites writes) : IConflictCondition<ConflictNotificationFailed>
{
    public Task<bool> IsMetAsync(BehaviorContext<ConflictState, ConflictNotificationFailed> context) =>
        writes.AllNotificationsFailedAsync(context.Saga.CorrelationId, context.Saga.Conflicts, context.CancellationToken);
}
