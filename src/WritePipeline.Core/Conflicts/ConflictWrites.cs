using Microsoft.EntityFrameworkCore;
using WritePipeline.Clients;
using WritePipeline.Data;
using WritePipeline.Webhooks;
using WritePipeline.Writes;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Conflicts;

/// <summary>
/// The conflict saga's hold on the write it is about. It uses the message's scoped <see cref="WritePipelineDbContext"/>,
/// the one the saga repository saves the instance with, so a write's status and its saga's state commit together.
/// </summary>
public sealed class ConflictWrites(WritePipelineDbContext db, TimeProvider clock)
{
    public DateTimeOffset Now => clock.GetUtcNow();

    public Task<Write?> FindAsync(Guid writeId, CancellationToken cancellationToken) =>
        db.Writes.SingleOrDefaultAsync(w => w.Id == writeId, cancellationToken);

    public Task<WriteConflict?> ConflictOfAsync(Guid writeId, CancellationToken cancellationToken) =>
        db.WriteConflicts.AsNoTracking().SingleOrDefaultAsync(c => c.WriteId == writeId, cancellationToken);

    public Task<string?> ClientPolicyAsync(Guid clientId, CancellationToken cancellationToken) =>
        db.Clients.AsNoTracking().Where(c => c.Id == clientId).Select(c => c.ConflictPolicy).SingleOrDefaultAsync(cancellationToken);

    /// <summary>Whether no notification of this conflict is still on its way or was delivered.</summary>
    public async Task<bool> AllNotificationsFailedAsync(Guid writeId, int conflict, CancellationToken cancellationToken) =>
        !await db.WebhookDeliveries.AnyAsync(
            d => d.WriteId == writeId && d.EventType == Webhooks.WebhookEvents.Conflicted && d.ConflictNumber == conflict && d.Status != Webhooks.WebhookDeliveryStatus.Failed,
            cancellationToken);

    /// <summary>
    /// Sets the write's status, saved at once in the saga's transaction; only <see cref="ConflictWriteStatus"/> decides
    /// when. A write coming back from a final status (a restored discarded one) is no longer completed.
    /// </summary>
    public async Task MoveAsync(Write write, string to, CancellationToken cancellationToken)
    {
        if (WriteStatus.IsFinal(write.Status))
        {
            write.MarkRestored(to);
        }
        else
        {
            write.Status = to;
        }

        // Status is a concurrency token: if the worker moved the write meanwhile, this fails and the message is retried.
        await db.SaveChangesAsync(cancellationToken);
    }
}
