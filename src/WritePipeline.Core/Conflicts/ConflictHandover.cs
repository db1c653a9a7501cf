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
public static class ConflictHandover
{
    public static async Task SendAsync(ConsumeContext context, ApplyResult result)
    {
        if (result.Deliveries is { Count: > 0 } deliveries)
        {
            await context.GetServiceOrCreateInstance<WebhookTimers>().SetAsync(deliveries, context.CancellationToken);
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
                DetectedAt = conflict.DetectedAt,
            };
            await context.SendMandatoryAsync(ConflictTopology.SendAddress, conflicted, context.CancellationToken);
        }
    }

    public static async Task SendResolvedAsync(ConsumeContext context, ApplyResolution resolution, ApplyResult result)
    {
        if (result.Write is { Status: WriteStatus.Applied or WriteStatus.Discarded } write)
        {
            var resolved = new WriteResolved
            {
                WriteId = write.Id,
                ResolutionId = resolution.ResolutionId,
                Status = write.Status,
                Version = write.Version,
            };
            await context.SendMandatoryAsync(ConflictTopology.SendAddress, resolved, context.CancellationToken);
        }
    }
}
