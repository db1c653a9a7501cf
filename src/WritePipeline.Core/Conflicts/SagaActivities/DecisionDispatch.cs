using MassTransit;
using MassTransit.Middleware.InMemoryOutbox;
using WritePipeline.Contracts;
using WritePipeline.Partitioning;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>Puts a taken decision on its key's partition and answers the one who asked.</summary>
public sealed class DecisionDispatch(PartitionMap partitions, IPartitionQueues queues)
{
    public async Task SendAsync(BehaviorContext<ConflictState, ResolveConflict> context)
    {
        var (saga, message) = (context.Saga, context.Message);
        var partition = partitions.PartitionOf(saga.Collection, saga.Key);
        var resolution = PartitionMessage.For(new ApplyResolution
        {
            WriteId = saga.CorrelationId,
            ResolutionId = message.ResolutionId,
            Collection = saga.Collection,
            Key = saga.Key,
            Action = message.Action,
            Body = message.Body,
            Reason = message.Reason,
        });

        // Like every send of the saga, only once its transaction has committed (the endpoint's in-memory outbox): the
        // partition must find the write 'resolving'. If this send fails, the decision message is redelivered and
        // finds the same decision taken, which sends again (SendDecision).
        var cancellationToken = context.CancellationToken;
        if (context.TryGetPayload(out OutboxContext? outbox))
        {
            await outbox.Add(() => queues.SendAsync(partition, resolution, cancellationToken));
        }
        else
        {
            await queues.SendAsync(partition, resolution, cancellationToken);
        }

        await context.RespondAsync(new ResolutionAccepted { WriteId = saga.CorrelationId, ResolutionId = message.ResolutionId });
    }
}
