using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using WritePipeline.Testing;
using Xunit.Abstractions;

namespace WritePipeline.IntegrationTests.Faults;

/// <summary>
/// A worker's host vanishes in the middle of a partition's commit: its database connections go through a proxy that
/// stops forwarding anything, right after the fence's statement has locked the partition's lease row, and the worker
/// is SIGKILLed. PostgreSQL keeps its sessions (no FIN ever reaches it), one of them idle in transaction on that row.
/// The pipeline's idle-in-transaction timeout must end it, so that the others take every partition over, and no
/// write may be lost, doubled or reordered.
/// </summary>
public sealed class HostLossTests(ITestOutputHelper output)
{
    /// <summary>About Worker:LeaseDuration (5 s) plus Database:IdleInTransactionTimeout (10 s), with room for a slow machine.</summary>
    static readonly TimeSpan ConsumerLimit = TimeSpan.FromSeconds(30);

    const string VictimApplication = "wp-test-vanishing-host";

    /// <summary>The start of the fence's statement (PartitionFence), which no other statement of the pipeline shares.</summary>
    const string FenceStatement = "UPDATE partition_leases SET \"Epoch\"";

    [Fact]
    public async Task When_a_workers_host_vanishes_mid_commit_every_partition_is_consumed_again_within_30_s_and_nothing_is_lost_doubled_or_reordered()
    {
        const int keys = 100;
        const int writesPerKey = 20;
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with { HostsWorker = false, ServesHttp = true });
        await app.UntilReadyAsync();
        var (victimSettings, proxy) = BehindProxy(app);
        await using var _ = proxy;
        await using var victim = WorkerProcess.Start(victimSettings);
        await using var second = WorkerProcess.Start(app.SharedSettings);
        await using var third = WorkerProcess.Start(app.SharedSettings);
        await app.UntilSharedAsync(victim, second, third);

        var (clientId, http) = await app.CreateClientAsync();
        var load = new CarefulClient(http, "hostloss-" + Guid.NewGuid().ToString("N")[..6] + "-");
        var fault = Task.Run(async () =>
        {
            await load.UntilSubmittedAsync(keys * writesPerKey / 4);
            var elapsed = await VanishMidCommitAsync(app, proxy, victim);
            output.WriteLine($"every partition consumed by the two others {elapsed.TotalSeconds:0.0}s after the host vanished, {load.Submitted} writes accepted");
        });
        await load.RunAsync(keys, writesPerKey, writesPerSecond: 100);
        await fault;

        await load.AssertAppliedOnceInOrderAsync(app, clientId, keys, writesPerKey, TimeSpan.FromMinutes(3), output);
        Assert.False(second.HasExited, second.RecentOutput);
        Assert.False(third.HasExited, third.RecentOutput);
    }

    [Fact]
    public async Task A_worker_whose_sessions_have_the_timeout_turned_off_refuses_to_start()
    {
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with { HostsWorker = false });
        // As a pooler that drops the pipeline's options, or a server override, would leave it.
        var settings = new Dictionary<string, string?>(app.SharedSettings)
        {
            ["ConnectionStrings:WritePipeline"] = new NpgsqlConnectionStringBuilder(app.Database.ConnectionString) { Options = "-c idle_in_transaction_session_timeout=0" }.ConnectionString,
        };

        await using var worker = WorkerProcess.Start(settings);

        await Eventually.UntilAsync(() => Task.FromResult(worker.HasExited), "the worker stops", TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, worker.ExitCode);
        Assert.True(worker.Printed("sessions have idle_in_transaction_session_timeout off (set by client)"), worker.RecentOutput);
    }

    /// <summary>The settings of a worker whose database connections go through a new <see cref="TcpProxy"/>, and the proxy.</summary>
    public static (Dictionary<string, string?> Settings, TcpProxy Proxy) BehindProxy(PipelineApp app)
    {
        var server = new NpgsqlConnectionStringBuilder(app.Database.ConnectionString);
        var proxy = TcpProxy.Start(server.Host!, server.Port);
        var settings = new Dictionary<string, string?>(app.SharedSettings)
        {
            ["ConnectionStrings:WritePipeline"] = new NpgsqlConnectionStringBuilder(app.Database.ConnectionString)
            {
                Host = "127.0.0.1",
                Port = proxy.Port,
                ApplicationName = VictimApplication,
            }.ConnectionString,
        };
        return (settings, proxy);
    }

    /// <summary>
    /// Silences <paramref name="victim"/>'s database connections just after one of its commits ran the fence, checks the
    /// server holds that lease row for it, SIGKILLs it, and waits (at most <see cref="ConsumerLimit"/>) until the live
    /// workers hold and consume every partition: how long that took after the kill.
    /// </summary>
    public static async Task<TimeSpan> VanishMidCommitAsync(PipelineApp app, TcpProxy proxy, WorkerProcess victim)
    {
        var silenced = proxy.BlackholeAfterAsync(FenceStatement);
        await Eventually.UntilAsync(
            () =>
            {
                Assert.False(victim.HasExited, victim.RecentOutput);
                return Task.FromResult(silenced.IsCompleted);
            },
            "the host commits a partition's batch through the proxy",
            TimeSpan.FromSeconds(60));
        IReadOnlyList<int> holding = [];
        await Eventually.UntilAsync(
            async () => (holding = await VictimSessionsAsync(app, holdingALeaseRow: true)).Count > 0,
            "the vanished host's session sits idle in transaction, holding a lease row",
            TimeSpan.FromSeconds(10));
        victim.Kill();
        var killedAt = Stopwatch.StartNew();
        var partitions = app.Services.GetRequiredService<IOptions<WritePipelineOptions>>().Value.Partitions;
        await Eventually.UntilAsync(
            async () =>
            {
                var (shares, consumed) = await app.OwnershipAsync();
                return consumed && shares.Where(s => s.Key != victim.Pid).Sum(s => s.Value.Count) == partitions;
            },
            "the other workers hold and consume every partition",
            ConsumerLimit);
        var elapsed = killedAt.Elapsed;

        // The server itself ended the silent sessions that held a lease row: nothing else could have (the proxy still
        // holds them open). Another of the host's sessions may have gone idle in transaction later (a statement that
        // waited on that row's lock), so its timeout may not have run out yet: only the holders are checked.
        Assert.Empty((await VictimSessionsAsync(app, holdingALeaseRow: false)).Intersect(holding));
        return elapsed;
    }

    /// <summary>The server process ids of the vanished host's sessions idle in a transaction (that updated the lease table, if asked).</summary>
    static async Task<IReadOnlyList<int>> VictimSessionsAsync(PipelineApp app, bool holdingALeaseRow)
    {
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT DISTINCT a.pid FROM pg_stat_activity a
            LEFT JOIN pg_locks l ON l.pid = a.pid AND l.mode = 'RowExclusiveLock'
            LEFT JOIN pg_class c ON c.oid = l.relation
            WHERE a.application_name = @application AND a.state = 'idle in transaction'
              AND (NOT @leases OR c.relname = 'partition_leases')
            """,
            connection);
        command.Parameters.AddWithValue("application", VictimApplication);
        command.Parameters.AddWithValue("leases", holdingALeaseRow);
        var sessions = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            sessions.Add(reader.GetInt32(0));
        }

        return sessions;
    }
}
