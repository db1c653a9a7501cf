using MassTransit;
using WritePipeline.Contracts;
using WritePipeline.Messaging;
using WritePipeline.Webhooks;
using WritePipeline.Writes;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Conflicts;

/// <summary>
/// Tells the conflict saga what a partition did to a write, after it committed, and sets the timers of the webhook
/// deliveries the step recorded. A worker that dies between the commit
/// and the send gets the message again, finds the step done, and sends again: the saga recognises a repeat, so
/// nothing is lost and nothing happens twice.
/// </summary>
public sealed class ConflictHandover(IBus bus, WebhookTimers timers)
{
    /// <summary>What hands a write's conflict to its saga: the write and the conflict recorded for it (the sweeper sends the same again).</summary>
    public static WriteConflicted Conflicted(Write write, WriteConflict conflict) => new()
    {
        WriteId = write.Id,
        ClientId = write.ClientId,
        Collection = write.Collection,
        Key = write.Key,
        Operation = write.Operation,
        ConflictType = conflict.Type,
        ConflictId = conflict.ConflictId,
        DetectedAt = conflict.DetectedAt,
    };

    public async Task SendAsync(ApplyResult result, CancellationToken cancellationToken)
    {
        if (result.Deliveries is { Count: > 0 } deliveries)
        {
            await timers.SetAsync(deliveries, cancellationToken);
        }

        if (result is { Write: { } write, Conflict: { } conflict } && write.Status == WriteStatus.Conflicted)
        {
            var conflicted = Conflicted(write, conflict);
            await bus.SendMandatoryAsync(ConflictSagaDefinition.SendAddress, conflicted, cancellationToken);
        }
    }

    public async Task SendResolvedAsync(ApplyResolution resolution, ApplyResult result, CancellationToken cancellationToken)
    {
        if (result.Write is { Status: WriteStatus.Applied or WriteStatus.Discarded or WriteStatus.Failed } write)
        {
            var resolved = new WriteResolved
            {
                WriteId = write.Id,
                ResolutionId = resolution.ResolutionId,
                Status = write.Status,
                Version = write.Version,
            };
            await bus.SendMandatoryAsync(ConflictSagaDefinition.SendAddress, resolved, cancellationToken);
        }
    }
}
