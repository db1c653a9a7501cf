using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Writes;

/// <summary>The key holds: a write that conflicts or waits holds its key, and the writes behind it are released in order.</summary>
public sealed partial class WriteApplier
{
    /// <summary>
    /// The next write held on a key whose blocking write is resolved (applied, discarded or failed; or conflicted after
    /// its reference grace in a collection that continues on conflict), in the order the writes were held; null when
    /// the key is still blocked or nothing waits (the hold is then lifted).
    /// </summary>
    public async Task<Write?> NextReleasedAsync(string collection, string key, CancellationToken cancellationToken)
    {
        var hold = await db.KeyHolds.SingleOrDefaultAsync(h => h.Collection == collection && h.Key == key, cancellationToken);
        if (hold is null)
        {
            return null;
        }

        var blocker = await db.Writes.AsNoTracking().SingleOrDefaultAsync(w => w.Id == hold.BlockingWriteId, cancellationToken);
        if (blocker is not null && !WriteStatus.IsFinal(blocker.Status)
            && (blocker.Status == WriteStatus.Waiting || collections.HoldsOnConflict(collection)))
        {
            return null;
        }

        var next = await db.Writes.AsNoTracking()
            .Where(w => w.Collection == collection && w.Key == key && w.Status == WriteStatus.Held)
            .OrderBy(w => w.HeldPosition)
            .FirstOrDefaultAsync(cancellationToken);
        if (next is null)
        {
            db.KeyHolds.Remove(hold);
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Key released: no write waits behind {BlockingWriteId} any more", hold.BlockingWriteId);
        }

        return next;
    }

    /// <summary>Makes <paramref name="write"/> the one its key waits for; writes already held now wait behind it.</summary>
    async Task HoldKeyBehindAsync(Write write, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var hold = await db.KeyHolds.SingleOrDefaultAsync(h => h.Collection == write.Collection && h.Key == write.Key, cancellationToken);
        if (hold is null)
        {
            db.KeyHolds.Add(new KeyHold { Collection = write.Collection, Key = write.Key, BlockingWriteId = write.Id, Since = now });
        }
        else if (hold.BlockingWriteId != write.Id
                 && (!collections.HoldsOnConflict(write.Collection) || await BlockerIsDoneAsync(hold.BlockingWriteId, cancellationToken)))
        {
            // A released write conflicted (or waits for a reference) in turn: the writes behind it keep their places,
            // behind it now. While the blocker still waits for a decision, the key stays its (a write restored from the
            // archive that conflicts again waits on its own: taking the hold over would let a discard of it release
            // writes early); in a collection that continues on conflict, no decision holds the key, only a wait does.
            hold.BlockingWriteId = write.Id;
            await db.Writes
                .Where(w => w.Collection == write.Collection && w.Key == write.Key && w.Status == WriteStatus.Held)
                .ExecuteUpdateAsync(set => set.SetProperty(w => w.HeldBehind, write.Id), cancellationToken);
        }
    }

    async Task<bool> BlockerIsDoneAsync(Guid blockerId, CancellationToken cancellationToken)
    {
        var status = await db.Writes.AsNoTracking().Where(w => w.Id == blockerId).Select(w => w.Status).SingleOrDefaultAsync(cancellationToken);
        return status is null || WriteStatus.IsFinal(status);
    }
}
