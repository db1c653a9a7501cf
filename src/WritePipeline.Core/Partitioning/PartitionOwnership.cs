using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WritePipeline.Partitioning;

/// <summary>
/// Shares the partitions among the live workers through leases in the database they all use. Every heartbeat a worker
/// says it is alive, reads who else is, works out its share (<see cref="PartitionAssignment"/>), gives up what is no
/// longer its own (after the batch at hand), renews what it keeps, and takes what is free. A worker that stops gives
/// everything up at once; one that dies is taken over once its leases expire. A worker that cannot reach the database
/// for a lease's duration stops consuming: it can no longer know that its partitions are still its own.
/// </summary>
public sealed class PartitionOwnership(
    PartitionLeaseStore store,
    RabbitMqPartitionConsumers consumers,
    WorkerIdentity identity,
    TimeProvider clock,
    PartitionMap partitions,
    IOptions<WorkerOptions> options,
    ILogger<PartitionOwnership> logger) : BackgroundService
{
    readonly Dictionary<int, PartitionClaim> _held = [];

    /// <summary>Partitions being given up: their batch at hand is finishing, then their lease is released.</summary>
    readonly Dictionary<int, Task> _releasing = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var worker = options.Value;
        var me = identity.Registration(clock.GetUtcNow());
        logger.LogInformation("Worker {WorkerId} shares the partitions with the other live workers", me.Id);
        var lastContact = clock.GetUtcNow();
        using var timer = new PeriodicTimer(worker.HeartbeatInterval, clock);
        try
        {
            do
            {
                try
                {
                    await TickAsync(me, stoppingToken);
                    lastContact = clock.GetUtcNow();
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    var silent = clock.GetUtcNow() - lastContact;
                    logger.LogError(ex, "Worker {WorkerId} could not renew its partition leases for {Silent}", me.Id, silent);
                    if (silent > worker.LeaseDuration && _held.Count > 0)
                    {
                        logger.LogError("Worker {WorkerId} stops consuming partitions {Partitions}: their leases may have passed to another worker", me.Id, string.Join(", ", _held.Keys));
                        foreach (var partition in _held.Keys)
                        {
                            consumers.Abort(partition);
                        }

                        _held.Clear();
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await LeaveAsync(me.Id);
    }

    async Task TickAsync(PipelineWorker me, CancellationToken cancellationToken)
    {
        await store.HeartbeatAsync(me, cancellationToken);
        var (live, leases) = await store.ReadAsync(cancellationToken);
        var share = PartitionAssignment.ShareOf(me.Id, live.Select(w => w.Id), partitions.PartitionCount);
        var now = clock.GetUtcNow();

        foreach (var lease in leases.Where(l => _held.TryGetValue(l.Partition, out var claim) && (l.Owner != claim.Owner || l.Epoch != claim.Epoch)))
        {
            logger.LogWarning("Partition {Partition} was taken by {Owner} (epoch {Epoch}); this worker stops consuming it", lease.Partition, lease.Owner, lease.Epoch);
            consumers.Abort(lease.Partition);
            _held.Remove(lease.Partition);
        }

        foreach (var done in _releasing.Where(r => r.Value.IsCompleted).Select(r => r.Key).ToList())
        {
            _releasing.Remove(done);
        }

        // In the background: a batch finishing must not delay this worker's heartbeat and renewals (the lease of a
        // partition being given up is renewed too, until it is released).
        foreach (var claim in _held.Values.Where(c => !share.Contains(c.Partition)).ToList())
        {
            _held.Remove(claim.Partition);
            _releasing[claim.Partition] = HandOverAsync(claim);
        }

        await store.RenewAsync(me.Id, cancellationToken);

        // Still another worker's leases are left alone: it gives them up on its next heartbeat, or they run out.
        var free = leases.Where(l => share.Contains(l.Partition) && !_held.ContainsKey(l.Partition) && !_releasing.ContainsKey(l.Partition)
            && (l.Owner is null || l.Owner == me.Id || l.ExpiresAt < now)).ToList();
        // Each on its own: one lease row locked by a frozen worker must not keep this worker from the others.
        var taken = await Task.WhenAll(free.Select(lease => TryTakeAsync(lease, me.Id, cancellationToken)));
        foreach (var claim in taken.OfType<PartitionClaim>())
        {
            _held[claim.Partition] = claim;
            consumers.Start(claim);
        }
    }

    async Task HandOverAsync(PartitionClaim claim)
    {
        try
        {
            await consumers.StopAsync(claim.Partition, options.Value.StopGrace);
            using var timeout = new CancellationTokenSource(options.Value.LeaseDuration);
            await store.ReleaseAsync(claim, timeout.Token);
            logger.LogInformation("Partition {Partition} handed over: it belongs to another worker now", claim.Partition);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Partition {Partition} could not be given up; the next owner takes it when its lease expires", claim.Partition);
        }
    }

    async Task<PartitionClaim?> TryTakeAsync(PartitionLease lease, string me, CancellationToken cancellationToken)
    {
        try
        {
            var claim = await store.TryTakeAsync(lease.Partition, lease.Epoch, me, cancellationToken);
            if (claim is not null)
            {
                logger.LogInformation("Partition {Partition} taken over (lease epoch {Epoch}, from {Previous})", claim.Partition, claim.Epoch, lease.Owner ?? "nobody");
            }

            return claim;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not take partition {Partition} from {Previous}; trying again on the next heartbeat", lease.Partition, lease.Owner ?? "nobody");
            return null;
        }
    }

    /// <summary>Finishes the batches at hand, then gives every lease up and leaves the registry, so the others take over at once.</summary>
    async Task LeaveAsync(string me)
    {
        var grace = options.Value.StopGrace;
        await Task.WhenAll([.. _held.Keys.ToList().Select(p => consumers.StopAsync(p, grace)), .. _releasing.Values]);
        _held.Clear();
        _releasing.Clear();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await store.LeaveAsync(me, timeout.Token);
            logger.LogInformation("Worker {WorkerId} gave its partitions up and left", me);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Worker {WorkerId} could not give its partitions up; the others take them over when the leases expire", me);
        }
    }
}
