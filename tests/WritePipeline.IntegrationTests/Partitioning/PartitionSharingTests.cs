using System.Diagnostics;
using WritePipeline.Testing;
using Xunit.Abstractions;

namespace WritePipeline.IntegrationTests.Partitioning;

/// <summary>
/// Worker processes share the partitions through leases: each consumes its own share; a killed worker's share is
/// taken over, a new worker gets a share, a stopped one hands its share over, a paused one that lost its share
/// commits nothing of it. Writes go through real HTTP, RabbitMQ and PostgreSQL all the while, and each must be
/// applied once, in order.
/// </summary>
public sealed class PartitionSharingTests(ITestOutputHelper output)
{
    /// <summary>A killed worker's partitions must be consumed by the others within this long.</summary>
    static readonly TimeSpan TakeoverLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Three_workers_share_3_3_2_a_killed_ones_share_is_taken_over_a_fourth_gets_a_share_and_nothing_is_lost_doubled_or_reordered()
    {
        const int keys = 150;
        const int writesPerKey = 20;
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with { HostsWorker = false, ServesHttp = true });
        await app.UntilReadyAsync();
        await using var first = WorkerProcess.Start(app.SharedSettings);
        await using var second = WorkerProcess.Start(app.SharedSettings);
        await using var third = WorkerProcess.Start(app.SharedSettings);
        var shares = await app.UntilSharedAsync(first, second, third);
        Assert.Equal([2, 3, 3], shares.Values.Select(s => s.Count).Order());
        await AssertAdminViewAsync(app, shares);

        var (clientId, http) = await app.CreateClientAsync();
        var load = new CarefulClient(http, "share-" + Guid.NewGuid().ToString("N")[..6] + "-");
        var faults = Task.Run(async () =>
        {
            await load.UntilSubmittedAsync(keys * writesPerKey / 4);
            var killedShare = shares[second.Pid];
            second.Kill();
            var killedAt = Stopwatch.StartNew();
            shares = await app.UntilSharedAsync(first, third);
            output.WriteLine($"killed worker's partitions {string.Join(",", killedShare)} consumed by the others after {killedAt.Elapsed.TotalSeconds:0.0}s, {load.Submitted} writes accepted");
            Assert.True(killedAt.Elapsed < TakeoverLimit, $"the takeover took {killedAt.Elapsed}");

            await using var fourth = WorkerProcess.Start(app.SharedSettings);
            var joinedAt = Stopwatch.StartNew();
            shares = await app.UntilSharedAsync(first, third, fourth);
            output.WriteLine($"a fourth worker joined; shares re-spread after {joinedAt.Elapsed.TotalSeconds:0.0}s: {Describe(shares)}, {load.Submitted} writes accepted");
            Assert.True(load.Submitted < keys * writesPerKey, "the shares changed while writes were still being submitted");
            return fourth.HasExited;
        });
        await load.RunAsync(keys, writesPerKey, writesPerSecond: 100);
        Assert.False(await faults);

        await load.AssertAppliedOnceInOrderAsync(app, clientId, keys, writesPerKey, TimeSpan.FromMinutes(3), output);
        Assert.False(first.HasExited, first.RecentOutput);
        Assert.False(third.HasExited, third.RecentOutput);
    }

    [Fact]
    public async Task A_stopped_worker_hands_its_partitions_over_at_once()
    {
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with { HostsWorker = false });
        await app.UntilReadyAsync();
        await using var first = WorkerProcess.Start(app.SharedSettings);
        await using var second = WorkerProcess.Start(app.SharedSettings);
        await app.UntilSharedAsync(first, second);

        var stoppedAt = Stopwatch.StartNew();
        await second.StopAsync();
        await app.UntilSharedAsync(first);
        output.WriteLine($"a stopped worker's partitions were consumed by the other {stoppedAt.Elapsed.TotalSeconds:0.0}s after SIGTERM");
        // Well inside a lease's duration (5 s): the partitions were handed over, not left to expire.
        Assert.True(stoppedAt.Elapsed < TimeSpan.FromSeconds(4), $"the hand-over took {stoppedAt.Elapsed}");
        Assert.True(second.ExitCode == 0, $"the stopped worker exited with {second.ExitCode}: {second.RecentOutput}");
    }

    [Fact]
    public async Task A_worker_paused_past_its_leases_commits_nothing_of_the_partitions_it_lost_and_rejoins_when_resumed()
    {
        const int keys = 60;
        const int writesPerKey = 20;
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with
        {
            HostsWorker = false,
            ServesHttp = true,
            // Small batches: the paused worker holds writes it has taken but not yet committed.
            Overrides = new Dictionary<string, string?> { ["WritePipeline:Worker:MaxBatchSize"] = "4" },
        });
        await app.UntilReadyAsync();
        await using var first = WorkerProcess.Start(app.SharedSettings);
        await using var second = WorkerProcess.Start(app.SharedSettings);
        var shares = await app.UntilSharedAsync(first, second);

        var (clientId, http) = await app.CreateClientAsync();
        var load = new CarefulClient(http, "pause-" + Guid.NewGuid().ToString("N")[..6] + "-");
        var faults = Task.Run(async () =>
        {
            await load.UntilSubmittedAsync(keys * writesPerKey / 5);
            first.Pause();
            var pausedAt = Stopwatch.StartNew();
            output.WriteLine($"paused the worker holding {string.Join(",", shares[first.Pid])} with {load.Submitted} writes accepted");
            try
            {
                // The other worker takes the leases once they expire (a lease row the paused worker locked mid-commit
                // once PostgreSQL ends its idle transaction); the broker hands it the queues once it has closed the
                // paused worker's connection (missed heartbeats), and the paused one's unacknowledged writes come
                // back to it first.
                await Eventually.UntilAsync(
                    async () => (await app.OwnershipAsync()).Shares.TryGetValue(second.Pid, out var owned) && owned.Count == 8,
                    "the running worker holds every lease",
                    TimeSpan.FromSeconds(60));
                output.WriteLine($"the running worker holds every lease {pausedAt.Elapsed.TotalSeconds:0.0}s after the pause, {load.Submitted} writes accepted");
                await Eventually.UntilAsync(
                    async () => !(await app.VirtualHost!.ConnectionNamesAsync()).Any(n => n.EndsWith($"/{first.Pid}", StringComparison.Ordinal))
                        && (await app.OwnershipAsync()).AllConsumed,
                    "the running worker consumes every partition",
                    TimeSpan.FromSeconds(60));
                output.WriteLine($"the running worker consumes every partition {pausedAt.Elapsed.TotalSeconds:0.0}s after the pause, {load.Submitted} writes accepted");
            }
            finally
            {
                first.Resume();
            }

            await app.UntilSharedAsync(first, second);
            output.WriteLine($"the resumed worker rejoined, {load.Submitted} writes accepted");
        });
        await load.RunAsync(keys, writesPerKey, writesPerSecond: 60);
        await faults;

        await load.AssertAppliedOnceInOrderAsync(app, clientId, keys, writesPerKey, TimeSpan.FromMinutes(3), output);
        // The resumed worker learnt that its partitions were taken (from its lease rows, or from a refused commit).
        Assert.True(first.Printed("was taken by"), first.RecentOutput);
    }

    static string Describe(IReadOnlyDictionary<int, List<int>> shares) =>
        string.Join("; ", shares.Select(s => $"pid {s.Key}: {string.Join(",", s.Value)}"));

    /// <summary>GET /v1/admin/partitions names the same owners, one entry per partition, and the workers sharing them.</summary>
    static async Task AssertAdminViewAsync(PipelineApp app, IReadOnlyDictionary<int, List<int>> shares)
    {
        var viewer = await app.CreateOperatorAsync("viewer");
        var view = await (await viewer.GetAsync("/v1/admin/partitions")).JsonAsync();
        var workers = view["workers"]!.AsArray().Select(w => w!.AsObject()).ToList();
        Assert.Equal(shares.Keys.Order(), workers.Select(w => w["pid"]!.GetValue<int>()).Order());
        var pidOf = workers.ToDictionary(w => w["id"]!.GetValue<string>(), w => w["pid"]!.GetValue<int>());
        var partitions = view["partitions"]!.AsArray().Select(p => p!.AsObject()).ToList();
        Assert.Equal(Enumerable.Range(0, 8), partitions.Select(p => p["partition"]!.GetValue<int>()));
        foreach (var partition in partitions)
        {
            var owner = partition["owner"]!.GetValue<string>();
            Assert.Contains(partition["partition"]!.GetValue<int>(), shares[pidOf[owner]]);
            Assert.Equal(1, partition["consumers"]!.GetValue<long>());
            Assert.NotNull(partition["ready"]);
            Assert.NotNull(partition["since"]);
        }

        Assert.All(workers, w => Assert.NotNull(w["heartbeat"]));
        Assert.All(workers, w => Assert.False(string.IsNullOrEmpty(w["host"]!.GetValue<string>())));
    }
}
