using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WritePipeline.Data;

namespace WritePipeline.Partitioning;

/// <summary>What the workers agree through: the worker registry and the partition leases, each step one short statement.</summary>
public sealed class PartitionLeaseStore(IServiceScopeFactory scopes, TimeProvider clock, PartitionMap partitions, IOptions<WorkerOptions> worker)
{
    /// <summary>A worker silent for this long is taken off the registry (its leases expired long before).</summary>
    static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(1);

    TimeSpan LeaseDuration => worker.Value.LeaseDuration;

    /// <summary>Says <paramref name="worker"/> is alive (registering it the first time) and makes sure every partition has its lease row.</summary>
    public Task HeartbeatAsync(PipelineWorker worker, CancellationToken cancellationToken) => UseAsync(async db =>
    {
        var now = clock.GetUtcNow();
        worker.Heartbeat = now;
        if (await db.Workers.Where(w => w.Id == worker.Id).ExecuteUpdateAsync(set => set.SetProperty(w => w.Heartbeat, now), cancellationToken) == 0)
        {
            db.Workers.Add(worker);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        var existing = await db.PartitionLeases.Select(l => l.Partition).ToListAsync(cancellationToken);
        var missing = Enumerable.Range(0, partitions.PartitionCount).Except(existing).ToList();
        if (missing.Count > 0)
        {
            db.PartitionLeases.AddRange(missing.Select(p => new PartitionLease { Partition = p, ExpiresAt = now }));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another worker created them at the same moment: they exist, which is all that was wanted.
            }
        }

        await db.Workers.Where(w => w.Heartbeat < now - ForgetAfter).ExecuteDeleteAsync(cancellationToken);
    });

    /// <summary>The workers that said they were alive within a lease's duration, and every partition's lease.</summary>
    public Task<(IReadOnlyList<PipelineWorker> Live, IReadOnlyList<PartitionLease> Leases)> ReadAsync(CancellationToken cancellationToken) => UseAsync(async db =>
    {
        var since = clock.GetUtcNow() - LeaseDuration;
        IReadOnlyList<PipelineWorker> live = await db.Workers.AsNoTracking().Where(w => w.Heartbeat > since).ToListAsync(cancellationToken);
        IReadOnlyList<PartitionLease> leases = await db.PartitionLeases.AsNoTracking().OrderBy(l => l.Partition).ToListAsync(cancellationToken);
        return (live, leases);
    });

    /// <summary>
    /// Takes the lease of <paramref name="partition"/> if it is still at <paramref name="seenEpoch"/> and free (given up,
    /// expired, or this worker's own): the claim with the next epoch, or null when another worker got there first.
    /// </summary>
    public Task<PartitionClaim?> TryTakeAsync(int partition, long seenEpoch, string worker, CancellationToken cancellationToken) => UseAsync(async db =>
    {
        var now = clock.GetUtcNow();
        var expires = now + LeaseDuration;
        var taken = await db.PartitionLeases
            .Where(l => l.Partition == partition && l.Epoch == seenEpoch && (l.Owner == null || l.ExpiresAt < now || l.Owner == worker))
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(l => l.Owner, worker)
                    .SetProperty(l => l.Epoch, l => l.Epoch + 1)
                    .SetProperty(l => l.Since, now)
                    .SetProperty(l => l.ExpiresAt, expires),
                cancellationToken);
        return taken == 1 ? new PartitionClaim(partition, worker, seenEpoch + 1) : null;
    });

    /// <summary>
    /// Moves the expiry of the leases of <paramref name="partitions"/> on by a lease's duration, where they still name
    /// <paramref name="worker"/>: only those it consumes or is giving up, never every lease that names it (one it no
    /// longer consumes would be kept from the others for ever).
    /// </summary>
    public async Task RenewAsync(string worker, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        if (partitions.Count == 0)
        {
            return;
        }

        var list = partitions.ToList();
        await UseAsync(async db =>
        {
            var expires = clock.GetUtcNow() + LeaseDuration;
            await db.PartitionLeases.Where(l => l.Owner == worker && list.Contains(l.Partition)).ExecuteUpdateAsync(set => set.SetProperty(l => l.ExpiresAt, expires), cancellationToken);
        });
    }

    /// <summary>Gives a lease up, if it is still the claim's, so that the next owner can take it at once.</summary>
    public Task ReleaseAsync(PartitionClaim claim, CancellationToken cancellationToken) => UseAsync(db =>
        db.PartitionLeases
            .Where(l => l.Partition == claim.Partition && l.Owner == claim.Owner && l.Epoch == claim.Epoch)
            .ExecuteUpdateAsync(set => set.SetProperty(l => l.Owner, (string?)null).SetProperty(l => l.Since, (DateTimeOffset?)null), cancellationToken));

    /// <summary>A worker that stops: its leases given up, its registration removed, so the others re-spread at once.</summary>
    public Task LeaveAsync(string worker, CancellationToken cancellationToken) => UseAsync(async db =>
    {
        await db.PartitionLeases.Where(l => l.Owner == worker)
            .ExecuteUpdateAsync(set => set.SetProperty(l => l.Owner, (string?)null).SetProperty(l => l.Since, (DateTimeOffset?)null), cancellationToken);
        await db.Workers.Where(w => w.Id == worker).ExecuteDeleteAsync(cancellationToken);
    });

    async Task<T> UseAsync<T>(Func<WritePipelineDbContext, Task<T>> action)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
        // A row locked by a worker frozen mid-commit must not stall the heartbeat: give up on it and try next time.
        db.Database.SetCommandTimeout(StatementTimeout);
        return await action(db);
    }

    /// <summary>Whole seconds (what the providers take), short enough that a heartbeat is never late by a lease.</summary>
    TimeSpan StatementTimeout => TimeSpan.FromSeconds(Math.Max(1, Math.Floor(LeaseDuration.TotalSeconds / 3)));

    Task<bool> UseAsync(Func<WritePipelineDbContext, Task> action) => UseAsync(async db =>
    {
        await action(db);
        return true;
    });
}
