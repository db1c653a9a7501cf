using MassTransit;
using MassTransit.Middleware.InMemoryOutbox;
using WritePipeline.Contracts;
using WritePipeline.Partitioning;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>Puts a taken decision on its key's partition: for the saga as it takes it, and for the sweeper when its first send was lost.</summary>
public sealed class DecisionDispatch(PartitionMap partitions, IPartitionQueues queues, DecisionFaultPoint faultPoint)
{
    /// <summary>The decision the saga holds, as its partition carries it out: the saga keeps every part of it.</summary>
    public static ApplyResolution ResolutionOf(ConflictState saga) => new()
    {
        WriteId = saga.CorrelationId,
        ResolutionId = saga.ResolutionId ?? throw new InvalidOperationException($"The saga of write {saga.CorrelationId} holds no decision."),
        Collection = saga.Collection,
        Key = saga.Key,
        Action = saga.ResolutionAction!,
        Body = saga.ResolutionBody,
        Reason = saga.ResolutionReason,
    };

    /// <summary>Sends the decision taken (<see cref="TakeDecision"/>) once the saga's transaction commits, and answers the one who asked.</summary>
    public async Task SendAsync(BehaviorContext<ConflictState, ResolveConflict> context)
    {
        var saga = context.Saga;
        var partition = partitions.PartitionOf(saga.Collection, saga.Key);
        var resolution = PartitionMessage.For(ResolutionOf(saga));

        // Like every send of the saga, only once its transaction has committed (the endpoint's in-memory outbox): the
        // partition must find the write 'resolving'. If this send fails, the decision message is redelivered and
        // finds the same decision taken, which sends again (SendDecision); if the worker dies here, the request has
        // expired by the time it is back, and the sweeper sends the decision again (ConflictSweeper).
        var cancellationToken = context.CancellationToken;
        if (context.TryGetPayload(out OutboxContext? outbox))
        {
            await outbox.Add(() =>
            {
                faultPoint.AfterDecisionCommitted(saga.CorrelationId);
                return queues.SendAsync(partition, resolution, cancellationToken);
            });
        }
        else
        {
            await queues.SendAsync(partition, resolution, cancellationToken);
        }

        await context.RespondAsync(new ResolutionAccepted { WriteId = saga.CorrelationId, ResolutionId = context.Message.ResolutionId });
    }

    /// <summary>Sends the decision a saga holds again, now (the sweeper's, for a decision whose first send was lost).</summary>
    public Task SendAgainAsync(ConflictState saga, CancellationToken cancellationToken) =>
        queues.SendAsync(partitions.PartitionOf(saga.Collection, saga.Key), PartitionMessage.For(ResolutionOf(saga)), cancellationToken);
}
