using MassTransit;
using Microsoft.Extensions.Options;
using WritePipeline.Contracts;
using WritePipeline.Scheduling;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>
/// Asks the submitter to decide, and sets the timer that parks the write if it does not in time. The write goes
/// 'notified', and the webhook that asks is recorded, as the saga enters <c>Notified</c>.
/// </summary>
public sealed class NotifySubmitter(ConflictWrites writes, IOptions<ConflictOptions> options, Timers timers)
    : ConflictActivity<WriteConflicted>
{
    protected override async Task RunAsync(BehaviorContext<ConflictState, WriteConflicted> context)
    {
        var saga = context.Saga;
        var now = writes.Now;
        var deadline = now + options.Value.DecisionTimeout;
        saga.Notify(now, deadline);
        await timers.SetAsync<ConflictDecisionJob>(
            ConflictDecisionJob.NameOf(saga.CorrelationId, saga.Conflicts),
            deadline,
            ConflictDecisionJob.Data(saga.CorrelationId, saga.Conflicts),
            context.CancellationToken);
    }
}
