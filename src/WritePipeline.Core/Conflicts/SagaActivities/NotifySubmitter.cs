using MassTransit;
using Microsoft.Extensions.Options;
using WritePipeline.Contracts;
using WritePipeline.Scheduling;
using WritePipeline.Webhooks;
using WritePipeline.Writes;
using WritePipeline.Collections;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>Asks the submitter to decide, by webhook, and sets the timer that parks the write if it does not in time.</summary>
public sealed class NotifySubmitter(ConflictWrites writes, IOptions<WritePipelineOptions> options, Timers timers, ConflictReports reports)
    : ConflictActivity<WriteConflicted>
{
    protected override async Task RunAsync(BehaviorContext<ConflictState, WriteConflicted> context)
    {
        var saga = context.Saga;
        saga.Policy = ConflictPolicies.Notify;
        saga.NotifiedAt = writes.Now;
        saga.DecisionDeadline = writes.Now + options.Value.Conflicts.DecisionTimeout;
        await writes.MoveAsync(saga.CorrelationId, WriteStatus.Notified, [WriteStatus.Conflicted], context.CancellationToken);
        await reports.ReportAsync(saga, WebhookEvents.Conflicted, context.CancellationToken);
        await timers.SetAsync<ConflictDecisionJob>(
            ConflictDecisionJob.NameOf(saga.CorrelationId, saga.Conflicts),
            saga.DecisionDeadline.Value,
            ConflictDecisionJob.Data(saga.CorrelationId, saga.Conflicts),
            context.CancellationToken);
    }
}
