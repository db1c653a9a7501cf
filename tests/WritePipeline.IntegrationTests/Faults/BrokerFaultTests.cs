using System.Diagnostics;
using WritePipeline.Testing;
using Xunit.Abstractions;

namespace WritePipeline.IntegrationTests.Faults;

/// <summary>
/// Per-key order and exactly-once through broker faults: writes go through real HTTP to the API, real RabbitMQ and
/// PostgreSQL, and worker processes, while the broker drops every connection or restarts. Every write that got a
/// 202 must be applied once, and every key's history must be in submission order.
/// </summary>
public sealed class BrokerFaultTests(ITestOutputHelper output)
{
    const int Keys = 100;
    const int WritesPerKey = 20;
    const int Total = Keys * WritesPerKey;

    /// <summary>
    /// The careful clients' steady pace, writes per second over all of them: slow enough that every fault lands while
    /// writes are still being submitted and applied however fast the machine is, fast enough to queue a backlog.
    /// </summary>
    const int Pace = 150;

    static readonly List<string> PartitionQueues = [.. Enumerable.Range(0, 8).Select(PartitionMap.QueueName)];

    [Fact]
    public async Task When_every_broker_connection_is_closed_three_times_two_workers_lose_double_and_reorder_nothing()
    {
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with { HostsWorker = false, ServesHttp = true });
        await app.UntilReadyAsync();
        await using var first = WorkerProcess.Start(app.SharedSettings);
        await using var second = WorkerProcess.Start(app.SharedSettings);
        await app.UntilSharedAsync(first, second);
        var (clientId, http) = await app.CreateClientAsync();
        var load = new CarefulClient(http, "drop-" + Guid.NewGuid().ToString("N")[..6] + "-");

        var faults = Task.Run(async () =>
        {
            var submittedAtFaults = new List<int>();
            for (var round = 1; round <= 3; round++)
            {
                // At a fifth, two fifths and three fifths: reconnecting takes a moment, and the last fault must land mid-run.
                await load.UntilSubmittedAsync(Total * round / 5);
                // Both workers are connected again after the previous fault, so this one drops every consumer once more.
                await Eventually.UntilAsync(
                    async () => (await app.VirtualHost!.ConnectionNamesAsync()).Count(n => n.StartsWith("writepipeline-worker", StringComparison.Ordinal)) == 2,
                    "both workers' partition consumers are connected");
                await app.UntilConsumedAsync(PartitionQueues, first);
                var closed = await app.VirtualHost!.CloseConnectionsAsync();
                submittedAtFaults.Add(load.Submitted);
                output.WriteLine($"fault {round}: closed {closed} connections with {load.Submitted} of {Total} writes accepted");
                // At least the API's publisher and each worker's partition consumers.
                Assert.True(closed >= 3, $"only {closed} connections were open to close");
            }

            return submittedAtFaults;
        });
        await load.RunAsync(Keys, WritesPerKey, Pace);
        var submittedAtFaults = await faults;

        Assert.All(submittedAtFaults, s => Assert.True(s < Total, "every fault happened while writes were still being submitted"));
        await load.AssertAppliedOnceInOrderAsync(app, clientId, Keys, WritesPerKey, TimeSpan.FromMinutes(3), output);
        Assert.False(first.HasExited, first.RecentOutput);
        Assert.False(second.HasExited, second.RecentOutput);
        await app.UntilSharedAsync(first, second);
    }

    [Fact]
    public async Task When_the_broker_restarts_twice_one_worker_consumes_every_partition_again_and_applies_everything()
    {
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with { HostsWorker = false, ServesHttp = true });
        await app.UntilReadyAsync();
        await using var worker = WorkerProcess.Start(app.SharedSettings);
        await app.UntilSharedAsync(worker);
        var (clientId, http) = await app.CreateClientAsync();
        var load = new CarefulClient(http, "restart-" + Guid.NewGuid().ToString("N")[..6] + "-");

        var backAt = Stopwatch.StartNew();
        var faults = Task.Run(async () =>
        {
            for (var round = 1; round <= 2; round++)
            {
                // At a quarter and at half: the rest of the run is long enough for the second restart to land in it.
                await load.UntilSubmittedAsync(Total * round / 4);
                await app.UntilConsumedAsync(PartitionQueues, worker);
                await BrokerNode.StopAppAsync();
                output.WriteLine($"restart {round}: broker stopped with {load.Submitted} of {Total} writes accepted");
                // The outage lasts a fixed time on purpose: it is the fault, not a wait for something to happen.
                await Task.Delay(TimeSpan.FromSeconds(6));
                await BrokerNode.StartAppAsync();
                backAt.Restart();
                output.WriteLine($"restart {round}: broker back with {load.Submitted} of {Total} writes accepted");
                await app.UntilConsumedAsync(PartitionQueues, worker);
                output.WriteLine($"restart {round}: every partition consumed again {backAt.Elapsed.TotalSeconds:0.0}s after the broker was back");
                Assert.True(load.Submitted < Total, "the broker restarted while writes were still being submitted");
            }
        });
        await load.RunAsync(Keys, WritesPerKey, Pace);
        await faults;

        await app.UntilConsumedAsync([.. PartitionQueues, ConflictSagaDefinition.QueueName], worker);
        var remaining = TimeSpan.FromSeconds(60) - backAt.Elapsed;
        Assert.True(remaining > TimeSpan.Zero, $"the submissions themselves took {backAt.Elapsed} after the broker was back");
        await load.AssertAppliedOnceInOrderAsync(app, clientId, Keys, WritesPerKey, remaining, output);
        output.WriteLine($"everything applied {backAt.Elapsed.TotalSeconds:0.0}s after the broker was back");
        Assert.False(worker.HasExited, worker.RecentOutput);
    }

    [Fact]
    public async Task Partitions_without_a_consumer_show_as_degraded_on_health_until_a_worker_consumes_them()
    {
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with { HostsWorker = false });
        await app.UntilReadyAsync();
        var http = app.CreateHttpClient();

        var before = await (await http.GetAsync("/health/ready")).JsonAsync();
        Assert.Equal("Degraded", before["checks"]!["partition-queues"]!["status"]!.GetValue<string>());
        Assert.Contains("writes-p0", before["checks"]!["partition-queues"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);

        await using var worker = WorkerProcess.Start(app.SharedSettings);
        await Eventually.UntilAsync(
            async () => (await (await http.GetAsync("/health/ready")).JsonAsync())["checks"]!["partition-queues"]!["status"]!.GetValue<string>() == "Healthy",
            "every partition queue has a consumer");
        Assert.False(worker.HasExited, worker.RecentOutput);
    }
}
