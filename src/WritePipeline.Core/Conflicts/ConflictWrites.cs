using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;
using WritePipeline.Writes;
using WritePipeline.Webhooks;
using WritePipeline.Clients;

namespace WritePipeline.Conflicts;

/// <summary>The write moved on while a decision about it was being taken; the decision is tried again against its new state.</summary>
public sealed class WriteMovedException(Guid writeId) : Exception($"Write {writeId} changed status while a decision was being taken.");

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

    /// <summary>Moves the write to <paramref name="to"/> if it is in one of <paramref name="from"/>; false (and nothing changed) otherwise.</summary>
    /// <summary>Discarded back to parked (<see cref="Write.MarkRestored"/>), in the saga's transaction; the write, or null when it was not discarded.</summary>
    public async Task<Write?> RestoreAsync(Guid writeId, CancellationToken cancellationToken)
    {
        var write = await FindAsync(writeId, cancellationToken);
        if (write?.Status != WriteStatus.Discarded)
        {
            return null;
        }

        write.MarkRestored(WriteStatus.Parked);
        await db.SaveChangesAsync(cancellationToken);
        return write;
    }

    public async Task<bool> MoveAsync(Guid writeId, string to, string[] from, CancellationToken cancellationToken)
    {
        var write = await FindAsync(writeId, cancellationToken);
        if (write is null || !from.Contains(write.Status))
        {
            return false;
        }

        write.Status = to;
        // Status is a concurrency token: if the worker moved the write meanwhile, this fails and the message is retried.
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}
