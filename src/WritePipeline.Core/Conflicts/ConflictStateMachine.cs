using MassTransit;
using WritePipeline.Contracts;
using WritePipeline.Partitioning;
using WritePipeline.Writes;

namespace WritePipeline.Conflicts;

/// <summary>
/// The life of one conflicted write, from the conflict to a decision carried out:
/// <c>Parked</c> (waiting for a decision) → <c>Resolving</c> (the decision is on the key's partition) →
/// <c>Applied</c> or <c>Discarded</c>; a decision that conflicts again parks the write again.
/// The write's own status follows, in the same transaction. See docs/conflicts.md for the diagram.
/// </summary>
public sealed class ConflictStateMachine : MassTransitStateMachine<ConflictState>
{
    public ConflictStateMachine()
    {
        InstanceState(s => s.CurrentState);

        Event(() => Conflicted, e => e.CorrelateById(c => c.Message.WriteId));
        Event(() => Resolved, e => e.CorrelateById(c => c.Message.WriteId));
        Event(() => ResolutionRequested, e =>
        {
            e.CorrelateById(c => c.Message.WriteId);
            e.OnMissingInstance(m => m.ExecuteAsync(c => c.RespondAsync(new ResolutionRefused
            {
                WriteId = c.Message.WriteId,
                Status = "unknown",
                Reason = "The write has no conflict waiting for a decision.",
            })));
        });

        Initially(
            When(Conflicted)
                .Then(RecordConflict)
                .ThenAsync(Park)
                .TransitionTo(Parked));

        During(
            Parked,
            When(ResolutionRequested)
                .IfElseAsync(
                    CanBeTakenAsync,
                    take => take.ThenAsync(TakeAsync).TransitionTo(Resolving),
                    refuse => refuse.ThenAsync(RefuseAsync)),
            Ignore(Conflicted),
            Ignore(Resolved));

        During(
            Resolving,
            When(ResolutionRequested, c => c.Message.ResolutionId == c.Saga.ResolutionId)
                .ThenAsync(ResendAsync),
            When(ResolutionRequested, c => c.Message.ResolutionId != c.Saga.ResolutionId)
                .ThenAsync(RefuseAsync),
            When(Resolved, c => c.Message.Status == WriteStatus.Applied)
                .Then(c => c.Saga.ResolvedAt = Writes(c).Now)
                .TransitionTo(Applied),
            When(Resolved, c => c.Message.Status == WriteStatus.Discarded)
                .Then(c => c.Saga.ResolvedAt = Writes(c).Now)
                .TransitionTo(Discarded),
            // The decision conflicted in turn: a new conflict, parked again for a new decision.
            When(Conflicted, c => c.Message.DetectedAt > c.Saga.DetectedAt)
                .Then(RecordConflict)
                .ThenAsync(Park)
                .TransitionTo(Parked),
            Ignore(Conflicted));

        During(
            Applied,
            When(ResolutionRequested).ThenAsync(RefuseAsync),
            Ignore(Conflicted),
            Ignore(Resolved));

        During(
            Discarded,
            When(ResolutionRequested).ThenAsync(RefuseAsync),
            Ignore(Conflicted),
            Ignore(Resolved));
    }

    // States, as docs/conflicts.md draws them.
    public State Parked { get; private set; } = null!;

    public State Resolving { get; private set; } = null!;

    public State Applied { get; private set; } = null!;

    public State Discarded { get; private set; } = null!;

    // Events.
    public Event<WriteConflicted> Conflicted { get; private set; } = null!;

    public Event<ResolveConflict> ResolutionRequested { get; private set; } = null!;

    public Event<WriteResolved> Resolved { get; private set; } = null!;

    static void RecordConflict(BehaviorContext<ConflictState, WriteConflicted> context)
    {
        var (saga, message) = (context.Saga, context.Message);
        saga.ClientId = message.ClientId;
        saga.Collection = message.Collection;
        saga.Key = message.Key;
        saga.Operation = message.Operation;
        saga.ConflictType = message.ConflictType;
        saga.DetectedAt = message.DetectedAt;
        saga.Conflicts++;
        saga.ResolutionId = null;
        saga.ResolutionAction = null;
        saga.ResolutionReason = null;
        saga.ResolvedBy = null;
        saga.ResolutionRequestedAt = null;
    }

    static async Task Park(BehaviorContext<ConflictState, WriteConflicted> context)
    {
        var writes = Writes(context);
        context.Saga.Policy = "park";
        context.Saga.ParkedAt = writes.Now;
        await writes.MoveAsync(context.Saga.CorrelationId, WriteStatus.Parked, [WriteStatus.Conflicted], context.CancellationToken);
    }

    static async Task<bool> CanBeTakenAsync(BehaviorContext<ConflictState, ResolveConflict> context) =>
        await RefusalAsync(context) is null;

    static async Task<string?> RefusalAsync(BehaviorContext<ConflictState, ResolveConflict> context)
    {
        var write = await Writes(context).FindAsync(context.Saga.CorrelationId, context.CancellationToken);
        if (write is null)
        {
            return "The write no longer exists.";
        }

        var message = context.Message;
        return ResolutionRules.Refusal(write.Status, write.Operation, context.Saga.ConflictType, message.Action)
            ?? (message.Action == ResolutionActions.Resubmit && message.Body is null ? "resubmit needs the corrected document or patch." : null)
            ?? (message.Action == ResolutionActions.Discard && string.IsNullOrWhiteSpace(message.Reason) ? "discard needs a reason." : null);
    }

    static async Task TakeAsync(BehaviorContext<ConflictState, ResolveConflict> context)
    {
        var (saga, message) = (context.Saga, context.Message);
        var writes = Writes(context);
        if (!await writes.MoveAsync(saga.CorrelationId, WriteStatus.Resolving, [WriteStatus.Parked, WriteStatus.Notified], context.CancellationToken))
        {
            // Checked a moment ago in this same transaction; only a concurrent change gets here, and retrying sees it.
            throw new WriteMovedException(saga.CorrelationId);
        }

        saga.ResolutionId = message.ResolutionId;
        saga.ResolutionAction = message.Action;
        saga.ResolutionReason = message.Reason;
        saga.ResolvedBy = message.RequestedBy;
        saga.ResolutionRequestedAt = writes.Now;
        await SendToPartitionAsync(context);
    }

    static Task ResendAsync(BehaviorContext<ConflictState, ResolveConflict> context) =>
        // The same decision again (its first answer was lost): carry it out again; the partition applies it once.
        SendToPartitionAsync(context);

    static async Task SendToPartitionAsync(BehaviorContext<ConflictState, ResolveConflict> context)
    {
        var (saga, message) = (context.Saga, context.Message);
        var partitions = context.GetServiceOrCreateInstance<PartitionMap>();
        var endpoint = await context.GetSendEndpoint(PartitionTopology.SendAddress(partitions.PartitionOf(saga.Collection, saga.Key)));
        await endpoint.Send(
            new ApplyResolution
            {
                WriteId = saga.CorrelationId,
                ResolutionId = message.ResolutionId,
                Collection = saga.Collection,
                Key = saga.Key,
                Action = message.Action,
                Body = message.Body,
                Reason = message.Reason,
            },
            send => Messaging.SendRules.Mandatory(send));
        await context.RespondAsync(new ResolutionAccepted { WriteId = saga.CorrelationId, ResolutionId = message.ResolutionId });
    }

    static async Task RefuseAsync(BehaviorContext<ConflictState, ResolveConflict> context)
    {
        var write = await Writes(context).FindAsync(context.Saga.CorrelationId, context.CancellationToken);
        await context.RespondAsync(new ResolutionRefused
        {
            WriteId = context.Saga.CorrelationId,
            Status = write?.Status ?? "unknown",
            Reason = await RefusalAsync(context) ?? "A different decision about this write is already being carried out.",
        });
    }

    static ConflictWrites Writes(BehaviorContext<ConflictState> context) =>
        context.GetOrAddPayload(() => context.GetServiceOrCreateInstance<ConflictWrites>());
}
