using MassTransit;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>
/// What every activity of the conflict saga shares: it does its part, then the rest of the event's behaviour runs. A
/// fault passes through untouched, so the saga's transaction rolls back and the message is retried.
/// </summary>
public abstract class ConflictActivity<TEvent> : IStateMachineActivity<ConflictState, TEvent>
    where TEvent : class
{
    public async Task Execute(BehaviorContext<ConflictState, TEvent> context, IBehavior<ConflictState, TEvent> next)
    {
        await RunAsync(context);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<ConflictState, TEvent, TException> context, IBehavior<ConflictState, TEvent> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope(GetType().Name);

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);

    protected abstract Task RunAsync(BehaviorContext<ConflictState, TEvent> context);
}

/// <summary>A question the saga asks before it acts that needs services: a class, resolved from the message's scope as the activities are.</summary>
public interface IConflictCondition<TEvent>
    where TEvent : class
{
    Task<bool> IsMetAsync(BehaviorContext<ConflictState, TEvent> context);
}
