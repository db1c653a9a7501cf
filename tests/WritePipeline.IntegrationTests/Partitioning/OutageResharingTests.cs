using System.Diagnostics;
using WritePipeline.Testing;
using Xunit.Abstractions;

namespace WritePipeline.IntegrationTests.Partitioning;

/// <summary>
/// Three workers lose the database for longer than their leases while one of them is replaced by a new process (a new
/// id, so the shares change under them): once the database is back, every partition is consumed again by exactly one
/// worker, none left owned by a worker that no longer consumes it, and every write is applied once, in order. Real
/// HTTP, RabbitMQ and a PostgreSQL server of the test's own, stopped and started.
/// </summary>
public sealed class OutageResharingTests(ITestOutputHelper output)
{
    /// <summary>Longer than a lease (5 s): every worker stops consuming and its lease rows run out meanwhile.</summary>
    static readonly TimeSpan Outage = TimeSpan.FromSeconds(8);

    const int Partitions = 8;

    /// <summary>Every partition has its one consumer again within this long of the database's return.</summary>
    static readonly TimeSpan ConsumedWithin = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task After_an_outage_longer_than_the_leases_with_a_worker_replaced_every_partition_is_consumed_once_and_nothing_is_lost_doubled_or_reordered()
    {
        const int keys = 60;
        const int writesPerKey = 20;
        await using var postgres = await TestPostgresServer.StartAsync();
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with
        {
            PostgresServer = postgres.ConnectionString,
            HostsWorker = false,
            ServesHttp = true,
        });
        await app.UntilReadyAsync();
        await using var first = WorkerProcess.Start(app.SharedSettings);
        await using var second = WorkerProcess.Start(app.SharedSettings);
        await using var third = WorkerProcess.Start(app.SharedSettings);
        await app.UntilSharedAsync(first, second, third);

        var (clientId, http) = await app.CreateClientAsync();
        var load = new CarefulClient(http, "reshare-" + Guid.NewGuid().ToString("N")[..6] + "-");
        WorkerProcess? replacement = null;
        var faults = Task.Run(async () =>
        {
            await load.UntilSubmittedAsync(keys * writesPerKey / 4);
            await postgres.StopAsync();
            var down = Stopwatch.StartNew();
            second.Kill();
            replacement = WorkerProcess.Start(app.SharedSettings);
            output.WriteLine($"database stopped and a worker replaced, {load.Submitted} writes accepted");

            // The outage lasts its time whatever the workers do meanwhile.
            if (Outage - down.Elapsed is { Ticks: > 0 } rest)
            {
                await Task.Delay(rest);
            }

            await postgres.StartAgainAsync();
            var back = Stopwatch.StartNew();
            var live = new[] { first.Pid, third.Pid, replacement.Pid };
            await Eventually.UntilAsync(
                async () =>
                {
                    var (shares, consumed) = await app.OwnershipAsync();
                    return consumed && shares.Keys.All(live.Contains) && shares.Values.Sum(s => s.Count) == Partitions;
                },
                "every partition is leased to a live worker and has its one consumer",
                TimeSpan.FromSeconds(60));
            var consumedAfter = back.Elapsed;
            await app.UntilSharedAsync(first, third, replacement);
            output.WriteLine($"every partition consumed once {consumedAfter.TotalSeconds:0.0}s after the database came back; shared evenly by the three live workers after {back.Elapsed.TotalSeconds:0.0}s; {load.Submitted} writes accepted");
            Assert.True(consumedAfter < ConsumedWithin, $"the partitions had their consumers only {consumedAfter} after the database came back");
        });
        await load.RunAsync(keys, writesPerKey, writesPerSecond: 60);
        await faults;

        await using (replacement)
        {
            await load.AssertAppliedOnceInOrderAsync(app, clientId, keys, writesPerKey, TimeSpan.FromMinutes(3), output);
            Assert.False(first.HasExited, first.RecentOutput);
            Assert.False(third.HasExited, third.RecentOutput);
            Assert.False(replacement!.HasExited, replacement.RecentOutput);
        }
    }
}
