using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;
using WritePipeline.Data;
using WritePipeline.Partitioning;
using WritePipeline.Scheduling;

namespace WritePipeline.Writes;

/// <summary>
/// Finds writes still <c>queued</c> long after they were recorded (<see cref="SweeperOptions.UnconfirmedAfter"/>, far
/// longer than the API waits for the broker) and sends a check for each to its partition, behind everything already
/// there (<see cref="UnconfirmedWrites"/> answers it). A write whose message is queued, however long the backlog, is
/// dealt with before its check: only a write whose message never arrived is rejected. A write is checked at most once
/// per <see cref="SweeperOptions.UnconfirmedAfter"/> by each worker, so a long backlog is not flooded with checks.
/// </summary>
public sealed class UnconfirmedWriteSweep(WritePipelineDbContext db, IPartitionQueues queues, IOptions<SweeperOptions> options, TimeProvider clock, ILogger<UnconfirmedWriteSweep> logger)
{
    /// <summary>Most writes checked per sweep; the rest wait for the next one.</summary>
    const int Batch = 100;

    static readonly ConcurrentDictionary<Guid, DateTimeOffset> Checked = new();

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var after = options.Value.UnconfirmedAfter;
        foreach (var stale in Checked.Where(c => c.Value < now - after))
        {
            Checked.TryRemove(stale.Key, out _);
        }

        var cutoff = now - after;
        var candidates = await db.Writes.AsNoTracking()
            .Where(w => w.Status == WriteStatus.Queued && w.SubmittedAt < cutoff)
            .OrderBy(w => w.SubmittedAt)
            .Select(w => new { w.Id, w.Collection, w.Key, w.Partition })
            .Take(Batch + Checked.Count)
            .ToListAsync(cancellationToken);
        var sent = 0;
        foreach (var write in candidates.Where(w => !Checked.ContainsKey(w.Id)).Take(Batch))
        {
            await queues.SendAsync(write.Partition, PartitionMessage.For(new UnconfirmedWriteCheck(write.Id, write.Collection, write.Key)), cancellationToken);
            Checked[write.Id] = now;
            sent++;
        }

        if (sent > 0)
        {
            logger.LogInformation("Sent {Count} checks for writes still queued after {After}", sent, after);
        }

        return sent;
    }
}

/// <summary>Runs the <see cref="UnconfirmedWriteSweep"/> every <see cref="SweeperOptions.Interval"/>, on one worker at a time.</summary>
[DisallowConcurrentExecution]
public sealed class UnconfirmedWriteSweepJob(IServiceScopeFactory scopes) : SweepJob<UnconfirmedWriteSweep>(scopes)
{
    public const string Name = "unconfirmed-write-sweeper";

    // A sweep that fails (database or broker away) is the next one's to do: nothing it sends is lost by waiting.
    protected override Task SweepAsync(UnconfirmedWriteSweep sweep, CancellationToken cancellationToken) => sweep.SweepAsync(cancellationToken);
}
