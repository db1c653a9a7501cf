using MassTransit;
using WritePipeline.Contracts;
using WritePipeline.Webhooks;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>The decision was carried out (applied, discarded or failed): note when, and tell the submitter.</summary>
public sealed class ReportResolution(ConflictWrites writes, ConflictReports reports) : ConflictActivity<WriteResolved>
{
    protected override async Task RunAsync(BehaviorContext<ConflictState, WriteResolved> context)
    {
        context.Saga.ResolvedAt = writes.Now;
        await reports.ReportAsync(context.Saga, WebhookEvents.Resolved, context.CancellationToken);
    }
}
