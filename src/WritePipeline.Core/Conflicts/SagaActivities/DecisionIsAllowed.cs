using MassTransit;
using WritePipeline.Contracts;
using WritePipeline.Writes.Status;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>Whether the saga takes a decision: <see cref="ResolutionPolicy"/> asked again, against the write as it is in this transaction.</summary>
public sealed class DecisionIsAllowed(ConflictWrites writes) : IConflictCondition<ResolveConflict>
{
    public async Task<bool> IsMetAsync(BehaviorContext<ConflictState, ResolveConflict> context) => await RefusalAsync(context) is null;

    /// <summary>Why the decision is not taken, or null when it is.</summary>
    public async Task<string?> RefusalAsync(BehaviorContext<ConflictState, ResolveConflict> context)
    {
        // A request retried past its expiry (the database was away meanwhile) was answered 503 "not taken": keep it so.
        if (context.ExpirationTime is { } expires && expires < writes.Now.UtcDateTime)
        {
            return ResolutionPolicy.RequestExpired;
        }

        var write = await writes.FindAsync(context.Saga.CorrelationId, context.CancellationToken);
        if (write is null)
        {
            return ResolutionPolicy.WriteGone;
        }

        // Every decision in here is about a conflict (a failed write is retried or discarded outside the saga), so the
        // submitter's rules hold for operators too.
        var message = context.Message;
        return ResolutionPolicy.Check(
                write.Status, write.Operation, context.Saga.ConflictType, message.Action, message.Body is not null, message.Reason, StatusAudience.Client) switch
            {
                DecisionOutcome.Invalid invalid => invalid.Detail,
                DecisionOutcome.Refused refused => refused.Reason,
                _ => null,
            };
    }
}
