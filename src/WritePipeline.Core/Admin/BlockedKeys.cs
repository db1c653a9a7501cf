using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;
using WritePipeline.Writes;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Admin;

/// <summary>A key whose writes wait behind a conflicted write: how many, since when, and which write blocks them.</summary>
public sealed record BlockedKey(string Collection, string Key, Guid BlockingWriteId, string? BlockingStatus, int Waiting, DateTimeOffset Since, DateTimeOffset OldestWaitingSubmittedAt);

/// <summary>Keys held behind a conflicted write (<c>onConflict: hold</c>), longest blocked first.</summary>
public sealed class BlockedKeys(WritePipelineDbContext db)
{
    public async Task<IReadOnlyList<BlockedKey>> ListAsync(string? collection, int limit, CancellationToken cancellationToken)
    {
        var held = db.Writes.AsNoTracking().Where(w => w.Status == WriteStatus.Held && w.HeldBehind != null);
        if (!string.IsNullOrWhiteSpace(collection))
        {
            held = held.Where(w => w.Collection == collection);
        }

        var groups = await held
            .GroupBy(w => new { w.Collection, w.Key, Blocker = w.HeldBehind!.Value })
            .Select(g => new { g.Key.Collection, g.Key.Key, g.Key.Blocker, Waiting = g.Count(), Oldest = g.Min(w => w.SubmittedAt) })
            .ToListAsync(cancellationToken);
        var blockerIds = groups.Select(g => g.Blocker).Distinct().ToList();
        var blockers = await db.Writes.AsNoTracking().Where(w => blockerIds.Contains(w.Id))
            .Select(w => new { w.Id, w.Status }).ToDictionaryAsync(w => w.Id, w => w.Status, cancellationToken);
        var since = await db.KeyHolds.AsNoTracking().Where(h => blockerIds.Contains(h.BlockingWriteId))
            .Select(h => new { h.BlockingWriteId, h.Since }).ToListAsync(cancellationToken);
        return [.. groups
            .Select(g => new BlockedKey(
                g.Collection, g.Key, g.Blocker, blockers.GetValueOrDefault(g.Blocker), g.Waiting,
                since.FirstOrDefault(h => h.BlockingWriteId == g.Blocker)?.Since ?? g.Oldest, g.Oldest))
            .OrderBy(k => k.Since)
            .Take(Math.Clamp(limit, 1, ParkedWrites.MaxPageSize))];
    }
}
