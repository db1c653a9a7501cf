using MassTransit;
using WritePipeline.Contracts;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>Takes in a (new) conflict: what the write is and how it conflicted; any earlier decision is forgotten.</summary>
public sealed class RecordConflict : ConflictActivity<WriteConflicted>
{
    protected override Task RunAsync(BehaviorContext<ConflictState, WriteConflicted> context)
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
        saga.ForgetDecision();
        return Task.CompletedTask;
    }
}
