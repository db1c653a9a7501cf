using MassTransit;
using Microsoft.Extensions.Options;
using WritePipeline.Audit;
using WritePipeline.Collections;
using WritePipeline.Contracts;
using WritePipeline.Messaging;
using WritePipeline.Operators;
using WritePipeline.Partitioning;
using WritePipeline.Scheduling;
using WritePipeline.Webhooks;
using WritePipeline.Writes;

namespace WritePipeline.Conflicts;

/// <summary>
/// The life of one conflicted write, from the conflict to a decision carried out: <c>Notified</c> (the submitter was
/// sent a webhook and has until a deadline to decide) or <c>Parked</c> (an operator decides) → <c>Resolving</c> (the
/// decision is on the key's partition) → <c>Applied</c> or <c>Discarded</c>. A notification that cannot be
/// delivered, or a deadline that passes, parks the write; a decision that conflicts again starts over.
/// The write's own status follows, in the same transaction. See docs/conflicts.md for the diagram.
/// </summary>
public sealed class ConflictStateMachine : MassTransitStateMachine<ConflictState>
{
    public ConflictStateMachine()
    {
        InstanceState(s => s.CurrentState);

        Event(() => Conflicted, e => e.CorrelateById(c => c.Message.WriteId));
        Event(() => Resolved, e => e.CorrelateById(c => c.Message.WriteId));
        Event(() => DecisionDue, e => e.CorrelateById(c => c.Message.WriteId));
        Event(() => NotificationFailed, e => e.CorrelateById(c => c.Message.WriteId));
        Event(() => ResolutionRequested, e =>
        {
            e.CorrelateById(c => c.Message.WriteId);
            e.OnMissingInstance(m => m.ExecuteAsync(c => c.RespondAsync(new ResolutionRefused
            {
                WriteId = c.Message.WriteId,
                Status = "unknown",
                Reason = ResolutionPolicy.NoConflictWaiting,
            })));
        });

        Event(() => RestoreRequested, e =>
        {
            e.CorrelateById(c => c.Message.WriteId);
            e.OnMissingInstance(m => m.ExecuteAsync(c => c.RespondAsync(new ResolutionRefused
            {
                WriteId = c.Message.WriteId,
                Status = "unknown",
                Reason = ResolutionPolicy.NoConflictToRestore,
            })));
        });

        Initially(
            When(Conflicted)
                .Then(RecordConflict)
                .IfElseAsync(
                    SubmitterIsToBeNotifiedAsync,
                    notify => notify.ThenAsync(NotifyAsync).TransitionTo(Notified),
                    park => park.ThenAsync(ParkAsync).TransitionTo(Parked)));

        During(
            Parked,
            Notified,
            When(ResolutionRequested)
                .IfElseAsync(
                    CanBeTakenAsync,
                    take => take.ThenAsync(TakeAsync).TransitionTo(Resolving),
                    refuse => refuse.ThenAsync(RefuseAsync)),
            Ignore(Conflicted),
            Ignore(Resolved));

        During(
            Notified,
            When(DecisionDue)
                .Then(CountTimer)
                .If(c => c.Message.Conflict == c.Saga.Conflicts, due => due.ThenAsync(ParkAsync).TransitionTo(Parked)),
            When(NotificationFailed, c => c.Message.Conflict == c.Saga.Conflicts)
                .IfAsync(NoNotificationLeftAsync, failed => failed.ThenAsync(ParkAsync).TransitionTo(Parked)),
            Ignore(NotificationFailed));

        During(
            Parked,
            When(DecisionDue).Then(CountTimer),
            Ignore(NotificationFailed));

        During(
            Resolving,
            When(ResolutionRequested, c => c.Message.ResolutionId == c.Saga.ResolutionId)
                .ThenAsync(ResendAsync),
            When(ResolutionRequested, c => c.Message.ResolutionId != c.Saga.ResolutionId)
                .ThenAsync(RefuseAsync),
            When(Resolved, c => c.Message.Status == WriteStatus.Applied)
                .ThenAsync(ReportResolvedAsync)
                .TransitionTo(Applied),
            When(Resolved, c => c.Message.Status == WriteStatus.Discarded)
                .ThenAsync(ReportResolvedAsync)
                .TransitionTo(Discarded),
            // The decision's write could not be applied at all (it breaks the collection's schema, the database refused
            // it): the write is final, failed, and an operator may retry or discard it outside the saga.
            When(Resolved, c => c.Message.Status == WriteStatus.Failed)
                .ThenAsync(ReportResolvedAsync)
                .TransitionTo(Failed));

        // The decision conflicted in turn (or a failed write an operator retried did): a new conflict, handled like the
        // first. Recognised by its identity, and only while it is the write's conflict now: a late copy of an earlier
        // conflict's event changes nothing.
        During(
            Resolving,
            Failed,
            When(Conflicted, c => c.Message.ConflictId != c.Saga.ConflictId)
                .IfAsync(
                    IsTheWritesConflictNowAsync,
                    again => again
                        .Then(RecordConflict)
                        .IfElseAsync(
                            SubmitterIsToBeNotifiedAsync,
                            notify => notify.ThenAsync(NotifyAsync).TransitionTo(Notified),
                            park => park.ThenAsync(ParkAsync).TransitionTo(Parked))),
            Ignore(Conflicted),
            When(DecisionDue).Then(CountTimer),
            Ignore(NotificationFailed));

        // An operator brings a discarded write back: parked again, as if just conflicted, for a new decision.
        During(
            Discarded,
            When(RestoreRequested).ThenAsync(RestoreAsync).TransitionTo(Parked));
        During(
            Notified,
            Parked,
            Resolving,
            Applied,
            When(RestoreRequested).ThenAsync(RefuseRestoreAsync));

        During(
            Failed,
            When(RestoreRequested).ThenAsync(RefuseRestoreAsync),
            When(ResolutionRequested).ThenAsync(RefuseAsync),
            Ignore(Resolved));

        During(
            Applied,
            Discarded,
            When(ResolutionRequested).ThenAsync(RefuseAsync),
            When(DecisionDue).Then(CountTimer),
            Ignore(Conflicted),
            Ignore(Resolved),
            Ignore(NotificationFailed));
    }

    // States, as docs/conflicts.md draws them.
    public State Notified { get; private set; } = null!;

    public State Parked { get; private set; } = null!;

    public State Resolving { get; private set; } = null!;

    public State Applied { get; private set; } = null!;

    public State Discarded { get; private set; } = null!;

    /// <summary>The decision's write failed outright; an operator retries or discards it as any failed write.</summary>
    public State Failed { get; private set; } = null!;

    // Events.
    public Event<WriteConflicted> Conflicted { get; private set; } = null!;

    public Event<ResolveConflict> ResolutionRequested { get; private set; } = null!;

    public Event<WriteResolved> Resolved { get; private set; } = null!;

    public Event<ConflictDecisionDue> DecisionDue { get; private set; } = null!;

    public Event<ConflictNotificationFailed> NotificationFailed { get; private set; } = null!;

    public Event<RestoreConflict> RestoreRequested { get; private set; } = null!;

    static void RecordConflict(BehaviorContext<ConflictState, WriteConflicted> context)
    {
        var (saga, message) = (context.Saga, context.Message);
        saga.ClientId = message.ClientId;
        saga.Collection = message.Collection;
        saga.Key = message.Key;
        saga.Operation = message.Operation;
        saga.ConflictType = message.ConflictType;
        saga.ConflictId = message.ConflictId;
        saga.DetectedAt = message.DetectedAt;
        saga.Conflicts++;
        saga.ResolutionId = null;
        saga.ResolutionAction = null;
        saga.ResolutionReason = null;
        saga.ResolvedBy = null;
        saga.ResolutionRequestedAt = null;
    }

    /// <summary>Whether the event is about the conflict the write is in now (recorded with the write's status, in its transaction).</summary>
    static async Task<bool> IsTheWritesConflictNowAsync(BehaviorContext<ConflictState, WriteConflicted> context)
    {
        var writes = Writes(context);
        var write = await writes.FindAsync(context.Saga.CorrelationId, context.CancellationToken);
        if (write?.Status != WriteStatus.Conflicted)
        {
            return false;
        }

        var conflict = await writes.ConflictOfAsync(write.Id, context.CancellationToken);
        return conflict?.ConflictId == context.Message.ConflictId;
    }

    /// <summary>The conflict policy (<see cref="ConflictPolicies"/>): notify when the submitter can be, and is to be, told.</summary>
    static async Task<bool> SubmitterIsToBeNotifiedAsync(BehaviorContext<ConflictState, WriteConflicted> context)
    {
        var saga = context.Saga;
        var collections = context.GetServiceOrCreateInstance<CollectionCatalog>();
        var collectionPolicy = collections.TryGet(saga.Collection, out var collection) ? collection.ConflictPolicy : ConflictPolicies.Auto;
        var clientPolicy = await Writes(context).ClientPolicyAsync(saga.ClientId, context.CancellationToken);
        var subscribed = await Outbox(context).HasSubscriberAsync(saga.ClientId, WebhookEvents.Conflicted, context.CancellationToken, fresh: true);
        return ConflictPolicies.Choose(collectionPolicy, clientPolicy, subscribed) == ConflictPolicies.Notify;
    }

    static async Task NotifyAsync(BehaviorContext<ConflictState, WriteConflicted> context)
    {
        var (saga, writes) = (context.Saga, Writes(context));
        saga.Policy = ConflictPolicies.Notify;
        saga.NotifiedAt = writes.Now;
        saga.DecisionDeadline = writes.Now + context.GetServiceOrCreateInstance<IOptions<WritePipelineOptions>>().Value.Conflicts.DecisionTimeout;
        await writes.MoveAsync(saga.CorrelationId, WriteStatus.Notified, [WriteStatus.Conflicted], context.CancellationToken);
        await ReportAsync(context, WebhookEvents.Conflicted);
        await context.GetServiceOrCreateInstance<Timers>().SetAsync<ConflictDecisionJob>(
            ConflictDecisionJob.NameOf(saga.CorrelationId, saga.Conflicts),
            saga.DecisionDeadline.Value,
            ConflictDecisionJob.Data(saga.CorrelationId, saga.Conflicts),
            context.CancellationToken);
    }

    static async Task ParkAsync(BehaviorContext<ConflictState> context)
    {
        var (saga, writes) = (context.Saga, Writes(context));
        saga.Policy = ConflictPolicies.Park;
        saga.ParkedAt = writes.Now;
        saga.DecisionDeadline = null;
        await writes.MoveAsync(saga.CorrelationId, WriteStatus.Parked, [WriteStatus.Conflicted, WriteStatus.Notified], context.CancellationToken);
        await ReportAsync(context, WebhookEvents.Parked);
    }

    static Task<bool> NoNotificationLeftAsync(BehaviorContext<ConflictState, ConflictNotificationFailed> context) =>
        Writes(context).AllNotificationsFailedAsync(context.Saga.CorrelationId, context.Saga.Conflicts, context.CancellationToken);

    static void CountTimer(BehaviorContext<ConflictState, ConflictDecisionDue> context) => context.Saga.DecisionTimersFired++;

    static async Task ReportResolvedAsync(BehaviorContext<ConflictState, WriteResolved> context)
    {
        context.Saga.ResolvedAt = Writes(context).Now;
        await ReportAsync(context, WebhookEvents.Resolved);
    }

    /// <summary>Records the event's webhook deliveries with the saga's transaction, and sets their first attempts.</summary>
    static async Task ReportAsync(BehaviorContext<ConflictState> context, string eventType)
    {
        var writes = Writes(context);
        var write = await writes.FindAsync(context.Saga.CorrelationId, context.CancellationToken);
        if (write is null)
        {
            return;
        }

        var conflict = await writes.ConflictOfAsync(write.Id, context.CancellationToken);
        var deliveries = await Outbox(context).AddAsync(eventType, write, conflict, context.Saga, context.CancellationToken);
        await context.GetServiceOrCreateInstance<WebhookTimers>().SetAsync(deliveries, context.CancellationToken);
    }

    static WebhookOutbox Outbox(BehaviorContext<ConflictState> context) =>
        context.GetOrAddPayload(() => context.GetServiceOrCreateInstance<WebhookOutbox>());

    static async Task<bool> CanBeTakenAsync(BehaviorContext<ConflictState, ResolveConflict> context) =>
        await RefusalAsync(context) is null;

    static async Task<string?> RefusalAsync(BehaviorContext<ConflictState, ResolveConflict> context)
    {
        // A request retried past its expiry (the database was away meanwhile) was answered 503 "not taken": keep it so.
        if (context.ExpirationTime is { } expires && expires < Writes(context).Now.UtcDateTime)
        {
            return ResolutionPolicy.RequestExpired;
        }

        var write = await Writes(context).FindAsync(context.Saga.CorrelationId, context.CancellationToken);
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

    static async Task TakeAsync(BehaviorContext<ConflictState, ResolveConflict> context)
    {
        var (saga, message) = (context.Saga, context.Message);
        var writes = Writes(context);
        // Tracked: the same instance MoveAsync changes, so it is read once.
        var write = await writes.FindAsync(saga.CorrelationId, context.CancellationToken);
        var statusBefore = write?.Status;
        if (!await writes.MoveAsync(saga.CorrelationId, WriteStatus.Resolving, [WriteStatus.Parked, WriteStatus.Notified], context.CancellationToken))
        {
            // Checked a moment ago in this same transaction; only a concurrent change gets here, and retrying sees it.
            throw new WriteMovedException(saga.CorrelationId);
        }

        if (message.RequestedBy.StartsWith(OperatorPrincipal.ActorPrefix, StringComparison.Ordinal))
        {
            // The operator's action is in the audit log if, and only if, it was taken: same transaction as the saga.
            Audit(context).Add(AuditEntries.ForWrite(
                write!, statusBefore!, AuditActions.ForDecision(message.Action), AuditOutcomes.Taken, message.RequestedBy, message.Reason, message.AuditNote,
                WriteStatus.Resolving, message.Action == ResolutionActions.Resubmit ? message.Body : null));
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
        var queues = context.GetServiceOrCreateInstance<IPartitionQueues>();
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
        // finds the same decision taken, which sends again (ResendAsync).
        var cancellationToken = context.CancellationToken;
        if (context.TryGetPayload(out MassTransit.Middleware.InMemoryOutbox.OutboxContext? outbox))
        {
            await outbox.Add(() => queues.SendAsync(partition, resolution, cancellationToken));
        }
        else
        {
            await queues.SendAsync(partition, resolution, cancellationToken);
        }
        await context.RespondAsync(new ResolutionAccepted { WriteId = saga.CorrelationId, ResolutionId = message.ResolutionId });
    }

    static async Task RefuseAsync(BehaviorContext<ConflictState, ResolveConflict> context)
    {
        var write = await Writes(context).FindAsync(context.Saga.CorrelationId, context.CancellationToken);
        await context.RespondAsync(new ResolutionRefused
        {
            WriteId = context.Saga.CorrelationId,
            Status = write?.Status ?? "unknown",
            Reason = await RefusalAsync(context) ?? ResolutionPolicy.DecisionUnderway,
        });
    }

    static async Task RestoreAsync(BehaviorContext<ConflictState, RestoreConflict> context)
    {
        var saga = context.Saga;
        var writes = Writes(context);
        var write = await writes.RestoreAsync(saga.CorrelationId, context.CancellationToken)
            ?? throw new WriteMovedException(saga.CorrelationId);
        Audit(context).Add(AuditEntries.ForWrite(
            write, WriteStatus.Discarded, AuditActions.Restore, AuditOutcomes.Taken, context.Message.RequestedBy, null, null, WriteStatus.Parked, null));

        saga.ResolutionId = null;
        saga.ResolutionAction = null;
        saga.ResolutionReason = null;
        saga.ResolvedBy = null;
        saga.ResolutionRequestedAt = null;
        saga.ResolvedAt = null;
        saga.Policy = ConflictPolicies.Park;
        saga.ParkedAt = writes.Now;
        saga.DecisionDeadline = null;
        await ReportAsync(context, WebhookEvents.Parked);
        await context.RespondAsync(new ResolutionAccepted { WriteId = saga.CorrelationId, ResolutionId = NewId.NextGuid() });
    }

    static async Task RefuseRestoreAsync(BehaviorContext<ConflictState, RestoreConflict> context)
    {
        var write = await Writes(context).FindAsync(context.Saga.CorrelationId, context.CancellationToken);
        await context.RespondAsync(new ResolutionRefused
        {
            WriteId = context.Saga.CorrelationId,
            Status = write?.Status ?? "unknown",
            Reason = ResolutionPolicy.OnlyDiscardedRestored,
        });
    }

    static AuditLog Audit(BehaviorContext<ConflictState> context) =>
        context.GetOrAddPayload(() => context.GetServiceOrCreateInstance<AuditLog>());

    static ConflictWrites Writes(BehaviorContext<ConflictState> context) =>
        context.GetOrAddPayload(() => context.GetServiceOrCreateInstance<ConflictWrites>());
}
