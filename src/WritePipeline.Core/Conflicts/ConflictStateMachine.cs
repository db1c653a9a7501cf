using MassTransit;
using WritePipeline.Conflicts.SagaActivities;
using WritePipeline.Contracts;
using WritePipeline.Writes;

namespace WritePipeline.Conflicts;

/// <summary>
/// The life of one conflicted write, from the conflict to a decision carried out: <c>Notified</c> (the submitter was
/// sent a webhook and has until a deadline to decide) or <c>Parked</c> (an operator decides) → <c>Resolving</c> (the
/// decision is on the key's partition) → <c>Applied</c> or <c>Discarded</c>. A notification that cannot be
/// delivered, or a deadline that passes, parks the write; a decision that conflicts again starts over.
/// The write's own status follows each change of state, in the same transaction, from one place (AfterLeaveAny,
/// <see cref="FollowSagaState"/>). See docs/conflicts.md for the diagram.
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

        // Whenever the saga changes state: the write's status follows, then the submitter is told.
        AfterLeaveAny(left => left.Activity(x => x.OfType<FollowSagaState>()));

        Initially(
            When(Conflicted)
                .Then(c => c.Saga.RecordConflict(c.Message))
                .IfElseAsync(
                    Holds<SubmitterIsToBeNotified, WriteConflicted>(),
                    notify => notify.Activity(x => x.OfType<NotifySubmitter>()).TransitionTo(Notified),
                    park => park.Then(Park).TransitionTo(Parked)));

        During(
            Parked,
            Notified,
            When(ResolutionRequested)
                .IfElseAsync(
                    Holds<DecisionIsAllowed, ResolveConflict>(),
                    // Sent once in Resolving: the partition must find the write 'resolving'.
                    take => take.Activity(x => x.OfType<TakeDecision>()).TransitionTo(Resolving).Activity(x => x.OfType<SendDecision>()),
                    refuse => refuse.Activity(x => x.OfType<RefuseDecision>())),
            Ignore(Conflicted),
            Ignore(Resolved));

        During(
            Notified,
            When(DecisionDue)
                .Then(c => c.Saga.CountDecisionTimer())
                .If(c => c.Message.Conflict == c.Saga.Conflicts, due => due.Then(Park).TransitionTo(Parked)),
            When(NotificationFailed, c => c.Message.Conflict == c.Saga.Conflicts)
                .IfAsync(
                    Holds<NoNotificationLeft, ConflictNotificationFailed>(),
                    failed => failed.Then(Park).TransitionTo(Parked)),
            Ignore(NotificationFailed));

        During(
            Parked,
            When(DecisionDue).Then(c => c.Saga.CountDecisionTimer()),
            Ignore(NotificationFailed));

        During(
            Resolving,
            When(ResolutionRequested, c => c.Message.ResolutionId == c.Saga.ResolutionId)
                .Activity(x => x.OfType<SendDecision>()),
            When(ResolutionRequested, c => c.Message.ResolutionId != c.Saga.ResolutionId)
                .Activity(x => x.OfType<RefuseDecision>()),
            When(Resolved, c => c.Message.Status == WriteStatus.Applied)
                .Then(c => c.Saga.NoteResolved(Now(c)))
                .TransitionTo(Applied),
            When(Resolved, c => c.Message.Status == WriteStatus.Discarded)
                .Then(c => c.Saga.NoteResolved(Now(c)))
                .TransitionTo(Discarded),
            // The decision's write could not be applied at all (it breaks the collection's schema, the database refused
            // it): the write is final, failed, and an operator may retry or discard it outside the saga.
            When(Resolved, c => c.Message.Status == WriteStatus.Failed)
                .Then(c => c.Saga.NoteResolved(Now(c)))
                .TransitionTo(Failed));

        // The decision conflicted in turn (or a failed write an operator retried did): a new conflict, handled like the
        // first. Recognised by its identity, and only while it is the write's conflict now: a late copy of an earlier
        // conflict's event changes nothing.
        During(
            Resolving,
            Failed,
            When(Conflicted, c => c.Message.ConflictId != c.Saga.ConflictId)
                .IfAsync(
                    Holds<IsTheWritesConflictNow, WriteConflicted>(),
                    again => again
                        .Then(c => c.Saga.RecordConflict(c.Message))
                        .IfElseAsync(
                            Holds<SubmitterIsToBeNotified, WriteConflicted>(),
                            notify => notify.Activity(x => x.OfType<NotifySubmitter>()).TransitionTo(Notified),
                            park => park.Then(Park).TransitionTo(Parked))),
            Ignore(Conflicted),
            When(DecisionDue).Then(c => c.Saga.CountDecisionTimer()),
            Ignore(NotificationFailed));

        // An operator brings a discarded write back: parked again, as if just conflicted, for a new decision. Accepted
        // once the write is 'parked' again.
        During(
            Discarded,
            When(RestoreRequested)
                .Activity(x => x.OfType<RestoreWrite>())
                .TransitionTo(Parked)
                .ThenAsync(c => c.RespondAsync(new ResolutionAccepted { WriteId = c.Saga.CorrelationId, ResolutionId = NewId.NextGuid() })));
        During(
            Notified,
            Parked,
            Resolving,
            Applied,
            When(RestoreRequested).Activity(x => x.OfType<RefuseRestore>()));

        During(
            Failed,
            When(RestoreRequested).Activity(x => x.OfType<RefuseRestore>()),
            When(ResolutionRequested).Activity(x => x.OfType<RefuseDecision>()),
            Ignore(Resolved));

        During(
            Applied,
            Discarded,
            When(ResolutionRequested).Activity(x => x.OfType<RefuseDecision>()),
            When(DecisionDue).Then(c => c.Saga.CountDecisionTimer()),
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

    /// <summary>The saga's clock: the host's, or the test's.</summary>
    static DateTimeOffset Now(BehaviorContext<ConflictState> context) => context.GetServiceOrCreateInstance<TimeProvider>().GetUtcNow();

    static void Park(BehaviorContext<ConflictState> context) => context.Saga.Park(Now(context));

    /// <summary>A condition that needs services, resolved from the message's scope as the activities are (MassTransit has no condition selector).</summary>
    static StateMachineAsyncCondition<ConflictState, TEvent> Holds<TCondition, TEvent>()
        where TCondition : class, IConflictCondition<TEvent>
        where TEvent : class =>
        context => context.GetServiceOrCreateInstance<TCondition>().IsMetAsync(context);
}
