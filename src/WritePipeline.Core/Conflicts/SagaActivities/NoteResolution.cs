using MassTransit;
using WritePipeline.Contracts;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>The decision was carried out (applied, discarded or failed): note when. The submitter hears of it as the saga enters its final state.</summary>
public sealed class NoteResolution(ConflictWrites writes) : ConflictActivity<WriteResolved>
{
    protected override Task RunAsync(BehaviorContext<ConflictState, WriteResolved> context)
    {
        context.Saga.ResolvedAt = writes.Now;
        return Task.CompletedTask;
    }
}
