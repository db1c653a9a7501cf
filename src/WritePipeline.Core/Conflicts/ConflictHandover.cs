using MassTransit;
using WritePipeline.Contracts;
using WritePipeline.Messaging;
using WritePipeline.Webhooks;
using WritePipeline.Writes;

namespace WritePipeline.Conflicts;

/// <summary>
/// Tells the conflict saga what a partition did to a write, after it committed, and sets the timers of the webhook
/// deliveries the step recorded. A worker that dies between the commit
/// and the send gets the message again, finds the step done, and sends again: the saga recognises a repeat, so
/// nothing is lost and nothing happens twice.
/// </summary>
public sealed class ConflictHandover(IBus bus, WebhookTimers timers)
{
    public async Task SendAsync(ApplyResult result, CancellationToken cancellationToken)
    {
        if (result.Deliveries is { Count: > 0 } deliveries)
        {
            await timers.SetAsync(deliveries, cancellationToken);
        }

        if (result is { Write: { } write, Conflict: { } conflict } && write.Status == WriteStatus.Conflicted)
        {
            var conflicted = new WriteConflicted
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
            await bus.SendMandatoryAsync(ConflictTopology.SendAddress, conflicted, cancellationToken);
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
            await bus.SendMandatoryAsync(ConflictTopology.SendAddress, resolved, cancellationToken);
        }
    }
}
