using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;
using WritePipeline.Data;
using WritePipeline.Partitioning;
using WritePipeline.Scheduling;
using WritePipeline.Writes;

namespace WritePipeline.Conflicts;

/// <summary>
/// Sends a <see cref="ReferenceRetry"/> to the partition of every write <c>waiting</c> for a reference whose next
/// attempt is due (<see cref="Write.NextAttemptAt"/>). The retry is taken in the partition's order by whichever worker
/// owns the partition then, so the sweep may run on any worker and a hand-over loses nothing: the waiting write, its
/// due times and its key's hold are rows, not memory. Each retry is claimed before it is sent by moving the due time
/// on by five retry intervals, so one sweep sends it once and a retry lost on the way is sent again after that.
/// </summary>
public sealed class ReferenceRetrySweep(
    WritePipelineDbContext db,
    IPartitionQueues queues,
    IOptions<WorkerOptions> options,
    TimeProvider clock,
    ILogger<ReferenceRetrySweep> logger)
{
    /// <summary>Most retries sent per sweep; the rest are the next sweep's.</summary>
    const int Batch = 500;

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var resent = now + (options.Value.ReferenceRetryInterval * 5);
        var due = await db.Writes.AsNoTracking()
            .Where(w => w.Status == WriteStatus.Waiting && w.NextAttemptAt <= now)
            .OrderBy(w => w.NextAttemptAt)
            .Select(w => new { w.Id, w.Collection, w.Key, w.Partition, w.NextAttemptAt })
            .Take(Batch)
            .ToListAsync(cancellationToken);
        var sent = 0;
        foreach (var write in due)
        {
            var claimed = await db.Writes
                .Where(w => w.Id == write.Id && w.Status == WriteStatus.Waiting && w.NextAttemptAt == write.NextAttemptAt)
                .ExecuteUpdateAsync(set => set.SetProperty(w => w.NextAttemptAt, resent), cancellationToken);
            if (claimed == 1)
            {
                await queues.SendAsync(write.Partition, PartitionMessage.For(new ReferenceRetry(write.Id, write.Collection, write.Key)), cancellationToken);
                sent++;
            }
        }

        if (sent > 0)
        {
            logger.LogDebug("Sent {Count} retries of writes waiting for a reference", sent);
        }

        return sent;
    }
}

/// <summary>Runs the <see cref="ReferenceRetrySweep"/> every <see cref="WorkerOptions.ReferenceRetryInterval"/>, on one worker at a time.</summary>
[DisallowConcurrentExecution]
public sealed class ReferenceRetrySweepJob(IServiceScopeFactory scopes) : SweepJob<ReferenceRetrySweep>(scopes)
{
    public const string Name = "reference-retry-sweeper";

    protected override Task SweepAsync(ReferenceRetrySweep sweep, CancellationToken cancellationToken) => sweep.SweepAsync(cancellationToken);
}
