using MassTransit;
using WritePipeline.Collections;
using WritePipeline.Contracts;
using WritePipeline.Webhooks;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>The conflict policy (<see cref="ConflictPolicies"/>): notify when the submitter can be, and is to be, told.</summary>
public sealed class SubmitterIsToBeNotified(CollectionCatalog collections, ConflictWrites writes, WebhookOutbox outbox) : IConflictCondition<WriteConflicted>
{
    public async Task<bool> IsMetAsync(BehaviorContext<ConflictState, WriteConflicted> context)
    {
        var saga = context.Saga;
        var collectionPolicy = collections.TryGet(saga.Collection, out var collection) ? collection.ConflictPolicy : ConflictPolicies.Auto;
        var clientPolicy = await writes.ClientPolicyAsync(saga.ClientId, context.CancellationToken);
        var subscribed = await outbox.HasSubscriberAsync(saga.ClientId, WebhookEvents.Conflicted, context.CancellationToken, fresh: true);
        return ConflictPolicies.Choose(collectionPolicy, clientPolicy, subscribed) == ConflictPolicies.Notify;
    }
}
