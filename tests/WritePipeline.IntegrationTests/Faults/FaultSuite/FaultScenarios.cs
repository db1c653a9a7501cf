using System.Diagnostics;
using WritePipeline.Testing;
using Xunit.Abstractions;

namespace WritePipeline.IntegrationTests.Faults.FaultSuite;

/// <summary>
/// The long fault scenarios <c>infra/faults.sh</c> runs (not part of the test command: together they take several
/// minutes; the test command runs shorter forms of each). Each sends writes through real HTTP, RabbitMQ, PostgreSQL and
/// worker processes while it injects its fault, then counts lost, doubled, reordered and stuck writes into a
/// <see cref="FaultReport"/>, and fails unless all are zero.
/// </summary>
[Trait("Category", "FaultSuite")]
public sealed class FaultScenarios(ITestOutputHelper output)
{
    static readonly TimeSpan Drain = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Worker_killed_every_5_seconds()
    {
        var writes = Spread(10_000, keys: 300);
        await using var app = await StartAsync();
        var workers = new List<WorkerProcess> { WorkerProcess.Start(app.SharedSettings), WorkerProcess.Start(app.SharedSettings), WorkerProcess.Start(app.SharedSettings) };
        try
        {
            await app.UntilSharedAsync([.. workers]);
            var (clientId, http) = await app.CreateClientAsync();
            var load = new CarefulClient(http, "fault-kill-" + Guid.NewGuid().ToString("N")[..6] + "-");
            var elapsed = Stopwatch.StartNew();
            var running = load.RunAsync(writes, writesPerSecond: 250);
            var kills = 0;
            while (!running.IsCompleted)
            {
                await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(5)));
                if (running.IsCompleted)
                {
                    break;
                }

                var victim = workers[Random.Shared.Next(workers.Count)];
                victim.Kill();
                await victim.DisposeAsync();
                workers.Remove(victim);
                workers.Add(WorkerProcess.Start(app.SharedSettings));
                kills++;
                output.WriteLine($"{elapsed.Elapsed.TotalSeconds:0}s: killed a worker (kill {kills}), started another; {load.Submitted} writes accepted");
            }

            await running;
            await ReportAsync("worker_kill_every_5s", app, clientId, load, writes, elapsed);
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Broker_connections_dropped()
    {
        var writes = Spread(5_000, keys: 200);
        await using var app = await StartAsync();
        await using var first = WorkerProcess.Start(app.SharedSettings);
        await using var second = WorkerProcess.Start(app.SharedSettings);
        await using var third = WorkerProcess.Start(app.SharedSettings);
        await app.UntilSharedAsync(first, second, third);
        var (clientId, http) = await app.CreateClientAsync();
        var load = new CarefulClient(http, "fault-drop-" + Guid.NewGuid().ToString("N")[..6] + "-");
        var elapsed = Stopwatch.StartNew();
        var running = load.RunAsync(writes, writesPerSecond: 200);
        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(5)));
            if (!running.IsCompleted)
            {
                var closed = await app.VirtualHost!.CloseConnectionsAsync();
                output.WriteLine($"{elapsed.Elapsed.TotalSeconds:0}s: closed {closed} connections; {load.Submitted} writes accepted");
            }
        }

        await running;
        await ReportAsync("broker_connection_drops", app, clientId, load, writes, elapsed);
    }

    [Fact]
    public async Task Broker_restarted()
    {
        var writes = Spread(4_000, keys: 200);
        await using var app = await StartAsync();
        await using var first = WorkerProcess.Start(app.SharedSettings);
        await using var second = WorkerProcess.Start(app.SharedSettings);
        await app.UntilSharedAsync(first, second);
        var (clientId, http) = await app.CreateClientAsync();
        var load = new CarefulClient(http, "fault-restart-" + Guid.NewGuid().ToString("N")[..6] + "-");
        var elapsed = Stopwatch.StartNew();
        var running = load.RunAsync(writes, writesPerSecond: 150);
        for (var round = 1; round <= 2 && !running.IsCompleted; round++)
        {
            await load.UntilSubmittedAsync(writes.Sum() * round / 3);
            await BrokerNode.StopAppAsync();
            output.WriteLine($"{elapsed.Elapsed.TotalSeconds:0}s: broker stopped; {load.Submitted} writes accepted");
            // The outage lasts a fixed time on purpose: it is the fault, not a wait for something to happen.
            await Task.Delay(TimeSpan.FromSeconds(10));
            await BrokerNode.StartAppAsync();
            output.WriteLine($"{elapsed.Elapsed.TotalSeconds:0}s: broker back; {load.Submitted} writes accepted");
        }

        await running;
        await ReportAsync("broker_restart", app, clientId, load, writes, elapsed);
    }

    [Fact]
    public async Task One_of_three_cluster_nodes_killed()
    {
        var writes = Spread(5_000, keys: 200);
        try
        {
            await BrokerCluster.StartAsync();
            await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with { HostsWorker = false, ServesHttp = true, OnCluster = true });
            await app.UntilReadyAsync();
            await using var first = WorkerProcess.Start(app.SharedSettings);
            await using var second = WorkerProcess.Start(app.SharedSettings);
            await using var third = WorkerProcess.Start(app.SharedSettings);
            await app.UntilSharedAsync(first, second, third);
            var (clientId, http) = await app.CreateClientAsync();
            var load = new CarefulClient(http, "fault-node-" + Guid.NewGuid().ToString("N")[..6] + "-");
            var elapsed = Stopwatch.StartNew();
            var running = load.RunAsync(writes, writesPerSecond: 200);
            await load.UntilSubmittedAsync(writes.Sum() / 3);
            // Any node: the clients are spread over all three, and each leads some queues or holds some connections.
            var victim = Random.Shared.Next(1, BrokerCluster.Nodes + 1);
            await BrokerCluster.KillNodeAsync(victim);
            output.WriteLine($"{elapsed.Elapsed.TotalSeconds:0}s: killed {BrokerCluster.NodeName(victim)}; {load.Submitted} writes accepted");
            await running;
            await ReportAsync("cluster_node_killed", app, clientId, load, writes, elapsed);
        }
        finally
        {
            await BrokerCluster.StopAsync();
        }
    }

    [Fact]
    public async Task Postgres_down_30_seconds()
    {
        var writes = Spread(3_000, keys: 150);
        await using var postgres = await TestPostgresServer.StartAsync();
        await using var app = await StartAsync(postgres.ConnectionString);
        await using var first = WorkerProcess.Start(app.SharedSettings);
        await using var second = WorkerProcess.Start(app.SharedSettings);
        await app.UntilSharedAsync(first, second);
        var (clientId, http) = await app.CreateClientAsync();
        var load = new CarefulClient(http, "fault-db-" + Guid.NewGuid().ToString("N")[..6] + "-");
        var elapsed = Stopwatch.StartNew();
        var running = load.RunAsync(writes, writesPerSecond: 100);
        await load.UntilSubmittedAsync(writes.Sum() / 4);
        await postgres.StopAsync();
        output.WriteLine($"{elapsed.Elapsed.TotalSeconds:0}s: PostgreSQL stopped; {load.Submitted} writes accepted");
        // The outage lasts a fixed time on purpose: it is the fault, not a wait for something to happen.
        await Task.Delay(TimeSpan.FromSeconds(30));
        await postgres.StartAgainAsync();
        output.WriteLine($"{elapsed.Elapsed.TotalSeconds:0}s: PostgreSQL back; {load.Submitted} writes accepted");
        await running;
        await ReportAsync("postgres_down_30s", app, clientId, load, writes, elapsed);
        // A 202 needs only the broker: the outage refuses nothing.
        Assert.Equal(0, load.Unavailable);
    }

    [Fact]
    public async Task Worker_hosts_vanish_mid_commit()
    {
        const int Vanished = 3;
        var writes = Spread(6_000, keys: 200);
        await using var app = await StartAsync();
        await using var first = WorkerProcess.Start(app.SharedSettings);
        await using var second = WorkerProcess.Start(app.SharedSettings);
        var (clientId, http) = await app.CreateClientAsync();
        var load = new CarefulClient(http, "fault-host-" + Guid.NewGuid().ToString("N")[..6] + "-");
        var elapsed = Stopwatch.StartNew();
        var running = load.RunAsync(writes, writesPerSecond: 100);
        var takeovers = new List<TimeSpan>();
        // One host after another joins behind its own proxy and vanishes mid-commit; the two others take over each time.
        for (var round = 1; round <= Vanished && !running.IsCompleted; round++)
        {
            var (settings, proxy) = HostLossTests.BehindProxy(app);
            await using var _ = proxy;
            await using var victim = WorkerProcess.Start(settings);
            await app.UntilSharedAsync(first, second, victim);
            takeovers.Add(await HostLossTests.VanishMidCommitAsync(app, proxy, victim));
            output.WriteLine($"{elapsed.Elapsed.TotalSeconds:0}s: host {round} vanished mid-commit; every partition consumed again {takeovers[^1].TotalSeconds:0.0}s after the kill; {load.Submitted} writes accepted");
        }

        await running;
        Assert.Equal(Vanished, takeovers.Count);
        await ReportAsync("worker_host_vanished", app, clientId, load, writes, elapsed);
    }

    static Task<PipelineApp> StartAsync(string? postgresServer = null) => PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with
    {
        HostsWorker = false,
        ServesHttp = true,
        PostgresServer = postgresServer,
    });

    /// <summary>Key <c>k</c> gets its share of <paramref name="writes"/>, the first keys one more when they do not divide evenly.</summary>
    static List<int> Spread(int writes, int keys) => [.. Enumerable.Range(0, keys).Select(k => (writes / keys) + (k < writes % keys ? 1 : 0))];

    async Task ReportAsync(string name, PipelineApp app, Guid clientId, CarefulClient load, IReadOnlyList<int> writes, Stopwatch elapsed)
    {
        var report = await FaultReport.CountAsync(name, app, clientId, load, writes, elapsed, Drain);
        report.Save();
        output.WriteLine(System.Text.Json.JsonSerializer.Serialize(report));
        report.AssertClean();
    }
}
