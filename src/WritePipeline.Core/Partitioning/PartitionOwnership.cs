using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WritePipeline.Partitioning;

/// <summary>
/// Shares the partitions among the live workers through leases in the database they all use. Every heartbeat a worker
/// says it is alive, reads who else is, works out its share (<see cref="PartitionAssignment"/>), gives up what is no
/// longer its own (after the batch at hand), renews what it consumes or is giving up, gives back any lease that still
/// names it but that it neither consumes nor gives up, and takes what is free. A worker that stops gives everything up
/// at once; one that dies is taken over once its leases expire. A worker that cannot reach the database for a lease's
/// duration stops consuming: it can no longer know that its partitions are still its own.
/// </summary>
/// <remarks>
/// The invariant (docs/architecture.md, "Partition leases"): a lease is renewed only while its owner consumes or
/// drains it. A lease row that names this worker for any other reason (consumers aborted after an outage, a hand-over
/// whose release failed, a take whose answer was lost) is released on the next heartbeat, so it is never kept alive
/// by renewals nobody needs, and the worker whose share it is can take it.
/// </remarks>
public sealed class PartitionOwnership(
    PartitionLeaseStore store,
    IPartitionConsumers consumers,
    WorkerIdentity identity,
    TimeProvider clock,
    PartitionMap partitions,
    IOptions<WorkerOptions> options,
    ILogger<PartitionOwnership> logger) : BackgroundService
{
    readonly PipelineWorker _me = identity.Registration(clock.GetUtcNow());

    /// <summary>Partitions this worker consumes, under the claim it took them with.</summary>
    readonly Dictionary<int, PartitionClaim> _held = [];

    /// <summary>Partitions being given up: their batch at hand is finishing, then their lease is released.</summary>
    readonly Dictionary<int, Task> _releasing = [];

    DateTimeOffset _lastContact = clock.GetUtcNow();

    /// <summary>Heartbeats in a row that could not reach the database: the first is an error, the rest warnings.</summary>
    int _failedBeats;

    /// <summary>The partitions this worker consumes now.</summary>
    public IReadOnlyCollection<int> Held => [.. _held.Keys];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Worker {WorkerId} shares the partitions with the other live workers", _me.Id);
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, clock);
        try
        {
            do
            {
                await BeatAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await LeaveAsync();
    }

    /// <summary>
    /// One heartbeat (the loop runs one every <see cref="WorkerOptions.HeartbeatInterval"/>): the registry and the
    /// leases read, the share worked out and acted on. A heartbeat that cannot reach the database is logged; once
    /// none has for a lease's duration, the partitions' consumers are stopped.
    /// </summary>
    public async Task BeatAsync(CancellationToken cancellationToken)
    {
        try
        {
            await TickAsync(cancellationToken);
            if (_failedBeats > 0)
            {
                logger.LogWarning("Worker {WorkerId} reaches the database again, after {Failed} failed heartbeats over {Silent}", _me.Id, _failedBeats, clock.GetUtcNow() - _lastContact);
            }

            _failedBeats = 0;
            _lastContact = clock.GetUtcNow();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var silent = clock.GetUtcNow() - _lastContact;
            // One error per outage, then warnings: a database away for minutes must not bury the log.
            logger.Log(_failedBeats++ == 0 ? LogLevel.Error : LogLevel.Warning, ex, "Worker {WorkerId} could not renew its partition leases for {Silent}", _me.Id, silent);
            if (silent > options.Value.LeaseDuration && _held.Count > 0)
            {
                logger.LogError("Worker {WorkerId} stops consuming partitions {Partitions}: their leases may have passed to another worker", _me.Id, string.Join(", ", _held.Keys));
                foreach (var partition in _held.Keys)
                {
                    consumers.Abort(partition);
                }

                // Their lease rows may still name this worker: the next heartbeat that reaches the database takes
                // back those of its share and gives back the others.
                _held.Clear();
            }
        }
    }

    async Task TickAsync(CancellationToken cancellationToken)
    {
        await store.HeartbeatAsync(_me, cancellationToken);
        var (live, leases) = await store.ReadAsync(cancellationToken);
        var share = PartitionAssignment.ShareOf(_me.Id, live.Select(w => w.Id), partitions.PartitionCount);
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

        await store.RenewAsync(_me.Id, [.. _held.Keys, .. _releasing.Keys], cancellationToken);

        // Leases that name this worker though it neither consumes nor gives them up, outside its share: given back,
        // so that the worker whose share they are can take them (a failed hand-over is retried this way too).
        var orphans = leases.Where(l => l.Owner == _me.Id && !share.Contains(l.Partition) && !_held.ContainsKey(l.Partition) && !_releasing.ContainsKey(l.Partition));
        await Task.WhenAll(orphans.Select(l => GiveBackAsync(new PartitionClaim(l.Partition, _me.Id, l.Epoch), cancellationToken)));

        // Still another worker's leases are left alone: it gives them up on its next heartbeat, or they run out.
        var free = leases.Where(l => share.Contains(l.Partition) && !_held.ContainsKey(l.Partition) && !_releasing.ContainsKey(l.Partition)
            && (l.Owner is null || l.Owner == _me.Id || l.ExpiresAt < now)).ToList();
        // Each on its own: one lease row locked by a frozen worker must not keep this worker from the others.
        var taken = await Task.WhenAll(free.Select(lease => TryTakeAsync(lease, cancellationToken)));
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
            logger.LogWarning(ex, "Partition {Partition} could not be given up; trying again on the next heartbeat", claim.Partition);
        }
    }

    async Task GiveBackAsync(PartitionClaim orphan, CancellationToken cancellationToken)
    {
        try
        {
            await store.ReleaseAsync(orphan, cancellationToken);
            logger.LogInformation("Partition {Partition} given back (lease epoch {Epoch}): its lease named this worker, which no longer consumes it", orphan.Partition, orphan.Epoch);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Partition {Partition} could not be given back; trying again on the next heartbeat", orphan.Partition);
        }
    }

    async Task<PartitionClaim?> TryTakeAsync(PartitionLease lease, CancellationToken cancellationToken)
    {
        try
        {
            var claim = await store.TryTakeAsync(lease.Partition, lease.Epoch, _me.Id, cancellationToken);
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
    public async Task LeaveAsync()
    {
        var grace = options.Value.StopGrace;
        await Task.WhenAll([.. _held.Keys.ToList().Select(p => consumers.StopAsync(p, grace)), .. _releasing.Values]);
        _held.Clear();
        _releasing.Clear();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await store.LeaveAsync(_me.Id, timeout.Token);
            logger.LogInformation("Worker {WorkerId} gave its partitions up and left", _me.Id);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Worker {WorkerId} could not give its partitions up; the others take them over when the leases expire", _me.Id);
        }
    }
}
