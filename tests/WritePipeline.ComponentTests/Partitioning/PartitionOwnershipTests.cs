using Microsoft.EntityFrameworkCore;
using WritePipeline.Testing;

namespace WritePipeline.ComponentTests.Partitioning;

/// <summary>
/// The real <see cref="PartitionOwnership"/> of two workers over one PostgreSQL database, each heartbeat driven by the
/// test on a clock of its own: a lease is renewed only while its owner consumes or drains it, so a lease that still
/// names a worker that no longer consumes it is given back, and the worker whose share it is takes it.
/// </summary>
public sealed class PartitionOwnershipTests : IAsyncLifetime
{
    /// <summary>Heartbeats each worker gets to settle the shares; a handful are needed, this is a bound, not a wait.</summary>
    const int MaxBeats = 20;

    readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    OwnershipHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await OwnershipHarness.StartAsync(_clock);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task A_worker_cut_off_past_its_leases_gives_back_what_is_no_longer_its_share()
    {
        // Arrange: worker-b alone holds all four partitions.
        var b = _harness.Worker("worker-b");
        await b.BeatAsync();
        Assert.Equal([0, 1, 2, 3], b.Consumers.Consuming);

        // The database is away from worker-b for longer than a lease: it stops consuming, its lease rows still name it.
        b.Outage.Down = true;
        for (var silent = TimeSpan.Zero; silent <= OwnershipHarness.LeaseDuration; silent += OwnershipHarness.Heartbeat)
        {
            _clock.Advance(OwnershipHarness.Heartbeat);
            await b.BeatAsync();
        }

        Assert.Empty(b.Consumers.Consuming);

        // A worker whose id sorts first registers, and worker-b reaches the database again before it takes anything.
        var a = _harness.Worker("worker-a");
        await a.RegisterAsync();
        b.Outage.Down = false;
        await b.BeatAsync();

        // Act and assert: the shares settle, 0 and 2 to worker-a, 1 and 3 to worker-b, each consumed once.
        await UntilSettledAsync(a, b, [0, 2], [1, 3]);
    }

    [Fact]
    public async Task A_hand_over_whose_release_failed_is_given_back_on_a_later_heartbeat()
    {
        // Arrange: worker-b holds all four; worker-a joins, and worker-b's release of 0 and 2 meets a database outage.
        var b = _harness.Worker("worker-b");
        await b.BeatAsync();
        var a = _harness.Worker("worker-a");
        await a.RegisterAsync();
        b.Consumers.HoldStops();
        await b.BeatAsync();
        await b.Consumers.UntilStoppingAsync(2);
        b.Outage.Down = true;
        b.Consumers.ReleaseStops();
        await Eventually.UntilAsync(() => Task.FromResult(b.Outage.Refused >= 2), "worker-b tried to release both partitions");
        b.Outage.Down = false;

        // Act and assert: the failed release is not left to be renewed for ever.
        await UntilSettledAsync(a, b, [0, 2], [1, 3]);
    }

    /// <summary>Beats both workers, a heartbeat apart, until each consumes its share and the lease rows say the same.</summary>
    async Task UntilSettledAsync(OwnershipHarness.TestWorker a, OwnershipHarness.TestWorker b, int[] shareOfA, int[] shareOfB)
    {
        for (var beat = 0; beat < MaxBeats && !await SettledAsync(); beat++)
        {
            _clock.Advance(OwnershipHarness.Heartbeat);
            await b.BeatAsync();
            await a.BeatAsync();
        }

        var leases = await _harness.QueryAsync(db => db.PartitionLeases.AsNoTracking().OrderBy(l => l.Partition).ToListAsync());
        Assert.True(
            await SettledAsync(),
            $"after {MaxBeats} heartbeats worker-a consumes [{string.Join(",", a.Consumers.Consuming)}], worker-b [{string.Join(",", b.Consumers.Consuming)}]; leases: "
            + string.Join("; ", leases.Select(l => $"{l.Partition}: {l.Owner ?? "nobody"} at epoch {l.Epoch}, expires {l.ExpiresAt:HH:mm:ss.fff}")));

        async Task<bool> SettledAsync()
        {
            var owners = await _harness.QueryAsync(db => db.PartitionLeases.AsNoTracking().ToDictionaryAsync(l => l.Partition, l => l.Owner));
            return a.Consumers.Consuming.SequenceEqual(shareOfA) && b.Consumers.Consuming.SequenceEqual(shareOfB)
                && shareOfA.All(p => owners[p] == a.Id) && shareOfB.All(p => owners[p] == b.Id);
        }
    }
}
