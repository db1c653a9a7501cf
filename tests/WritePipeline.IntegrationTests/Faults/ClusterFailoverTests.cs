using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using WritePipeline.Testing;
using Xunit.Abstractions;

namespace WritePipeline.IntegrationTests.Faults;

/// <summary>
/// A RabbitMQ node lost for good: the API and two worker processes run on the three-node cluster of
/// infra/rabbitmq-cluster.sh (Transport:RabbitMq:Hosts names all three), and the node leading the partition queues is
/// killed with SIGKILL while careful clients submit writes over real HTTP. Every write that got a 202 must be applied
/// once and in order per key, a submission the broker could not confirm must be answered 503, and the workers must
/// go on applying on the two nodes left.
/// </summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    const int Keys = 100;
    const int WritesPerKey = 30;
    const int Total = Keys * WritesPerKey;

    /// <summary>Writes per second over all clients: the kill lands while writes are still submitted and applied.</summary>
    const int Pace = 150;

    /// <summary>How long the pipeline may take to apply what is left once the last write was accepted: more is a stall.</summary>
    static readonly TimeSpan DrainBound = TimeSpan.FromSeconds(90);

    /// <summary>How long after the kill submissions may still be answered 503: a new leader is elected within a second.</summary>
    static readonly TimeSpan UnavailableBound = TimeSpan.FromSeconds(15);

    static readonly List<string> PartitionQueues = [.. Enumerable.Range(0, 8).Select(PartitionMap.QueueName)];

    [Fact]
    public async Task When_the_node_leading_the_partition_queues_is_killed_every_202_is_applied_once_in_order_and_nothing_stalls()
    {
        var test = Stopwatch.StartNew();
        try
        {
            // Fails the test when the cluster cannot run here (rabbitmq-server missing, a port taken): never skipped.
            await BrokerCluster.StartAsync();
            output.WriteLine($"cluster of {BrokerCluster.Nodes} nodes started in {test.Elapsed.TotalSeconds:0.0}s");
            await KillTheLeadingNodeUnderLoadAsync();
        }
        finally
        {
            // Also when the test or the start failed half-way: nothing of the cluster is left running.
            await BrokerCluster.StopAsync();
            output.WriteLine($"the whole test took {test.Elapsed.TotalSeconds:0.0}s, cluster start and stop included");
        }
    }

    async Task KillTheLeadingNodeUnderLoadAsync()
    {
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with { HostsWorker = false, ServesHttp = true, OnCluster = true });
        await app.UntilReadyAsync();
        await using var first = WorkerProcess.Start(app.SharedSettings);
        await using var second = WorkerProcess.Start(app.SharedSettings);
        await app.UntilSharedAsync(first, second);

        // Declared while all three nodes run: RabbitMQ 3.10 gives a quorum queue a member on every node of the cluster.
        var everyNode = Enumerable.Range(1, BrokerCluster.Nodes).Select(BrokerCluster.NodeName).Order().ToList();
        var queues = await QueuesAsync(app);
        foreach (var queue in (List<string>)[.. PartitionQueues, ConflictSagaDefinition.QueueName])
        {
            Assert.Equal("quorum", queues[queue].Type);
            Assert.Equal(everyNode, queues[queue].Members);
        }

        // The node to kill leads the partition queues, and the API's publisher and both workers' partition consumers are
        // connected to it: its loss takes leader election, publishes without a confirm and consumers to resubscribe.
        var victim = await LeadingNodeAsync(app);
        var (_, warmUp) = await app.CreateClientAsync("warm-up");
        var rounds = await GatherConnectionsOnAsync(app, warmUp, victim, first, second);
        output.WriteLine($"{BrokerCluster.NodeName(victim)} leads the partition queues and holds the publisher's and both workers' connections after {rounds} round(s) of reconnecting");

        using (var all = await app.VirtualHost!.QueuesJsonAsync())
        {
            // What else lives on the broker (MassTransit's own queues), and where: docs/operations.md says what a node loss does to each.
            output.WriteLine("queues: " + string.Join("; ", all.RootElement.EnumerateArray().Select(q =>
                $"{q.GetProperty("name")} {q.GetProperty("type")} durable={q.GetProperty("durable")} auto_delete={q.GetProperty("auto_delete")} node={q.GetProperty("node")} arguments={q.GetProperty("arguments")}")));
        }

        var (clientId, http) = await app.CreateClientAsync();
        var load = new CarefulClient(http, "node-" + Guid.NewGuid().ToString("N")[..6] + "-");
        var killedAt = 0L;
        var fault = Task.Run(async () =>
        {
            await load.UntilSubmittedAsync(Total / 3);
            var leaders = await QueuesAsync(app);
            var leads = PartitionQueues.Count(q => leaders[q].Leader == BrokerCluster.NodeName(victim));
            var connections = (await ConnectionsAsync(app)).Where(c => c.Node == BrokerCluster.NodeName(victim)).Select(c => c.ClientName).ToList();
            output.WriteLine($"killing {BrokerCluster.NodeName(victim)} with {load.Submitted} of {Total} writes accepted: it leads {leads} of {PartitionQueues.Count} partition queues"
                + $" and holds the connections {string.Join(", ", connections)}");
            Assert.True(leads > 0, "the node killed leads partition queues");
            killedAt = await BrokerCluster.KillNodeAsync(victim);
            var submittedAtKill = load.Submitted;

            await app.UntilConsumedAsync(PartitionQueues, first);
            output.WriteLine($"every partition queue had an active consumer again {Stopwatch.GetElapsedTime(killedAt).TotalSeconds:0.0}s after the kill");
            return submittedAtKill;
        });
        await load.RunAsync(Keys, WritesPerKey, Pace);
        var acceptedAll = Stopwatch.GetElapsedTime(killedAt);
        var submittedAtKill = await fault;
        output.WriteLine($"all {load.Submitted} writes accepted {acceptedAll.TotalSeconds:0.0}s after the kill; {load.Unavailable} submissions answered 503"
            + $" and retried, the last {(load.LastUnavailable == 0 ? "never" : $"{Stopwatch.GetElapsedTime(killedAt, load.LastUnavailable).TotalSeconds:0.0}s after the kill")}; {load.Dropped} requests dropped");

        Assert.True(submittedAtKill < Total, "the node was killed while writes were still being submitted");
        Assert.Equal(Total, load.Submitted);
        // The API process lived: a submission the broker could not confirm was answered (503), never left without an answer.
        Assert.Equal(0, load.Dropped);
        // And only around the kill: a publisher channel the broker kept refusing once made it last about 20 s (RabbitMqPartitionQueues).
        Assert.True(
            load.LastUnavailable == 0 || Stopwatch.GetElapsedTime(killedAt, load.LastUnavailable) < UnavailableBound,
            $"submissions were still answered 503 {Stopwatch.GetElapsedTime(killedAt, load.LastUnavailable).TotalSeconds:0.0}s after the kill");

        var draining = Stopwatch.StartNew();
        await load.AssertAppliedOnceInOrderAsync(app, clientId, Keys, WritesPerKey, DrainBound, output);
        output.WriteLine($"everything applied, once and in order, {draining.Elapsed.TotalSeconds:0.0}s after the last 202, {Stopwatch.GetElapsedTime(killedAt).TotalSeconds:0.0}s after the kill");

        // Both workers consume their shares again, on the two nodes left, which lead every queue.
        Assert.False(first.HasExited, first.RecentOutput);
        Assert.False(second.HasExited, second.RecentOutput);
        await app.UntilSharedAsync(first, second);
        queues = await QueuesAsync(app);
        Assert.All(PartitionQueues, queue => Assert.NotEqual(BrokerCluster.NodeName(victim), queues[queue].Leader));
        Assert.All(PartitionQueues, queue => Assert.Equal(BrokerCluster.Nodes - 1, queues[queue].Online));
        // The API's MassTransit bus, whose connection was on the node killed too, is connected again.
        await app.UntilReadyAsync();
    }

    /// <summary>
    /// The node leading the most partition queues (RabbitMQ places a new quorum queue's leader on the node of the
    /// client that declared it, so usually all of them).
    /// </summary>
    static async Task<int> LeadingNodeAsync(PipelineApp app)
    {
        var queues = await QueuesAsync(app);
        return Enumerable.Range(1, BrokerCluster.Nodes).MaxBy(n => PartitionQueues.Count(q => queues[q].Leader == BrokerCluster.NodeName(n)));
    }

    /// <summary>
    /// Closes the API's publisher connection and the workers' partition-consumer connections that are not on node
    /// <paramref name="victim"/> until all of them are: each opening picks a node at random, so a few rounds do it.
    /// Done before the load, so no submission meets these drops. Returns the rounds it took.
    /// </summary>
    static async Task<int> GatherConnectionsOnAsync(PipelineApp app, HttpClient warmUp, int victim, params WorkerProcess[] workers)
    {
        for (var round = 0; ; round++)
        {
            // The publisher connects on its first send after being closed.
            await Eventually.UntilAsync(
                async () => (await warmUp.PutAsync("customers", "warm-up", new JsonObject { ["round"] = round })).StatusCode == HttpStatusCode.Accepted,
                "a warm-up write is accepted");
            await Eventually.UntilAsync(
                async () => (await ConnectionsAsync(app)).Count(c => IsPipelineConnection(c.ClientName)) == 3,
                "the publisher and both workers' partition consumers are connected");
            await app.UntilSharedAsync(workers);
            var elsewhere = (await ConnectionsAsync(app)).Where(c => IsPipelineConnection(c.ClientName) && c.Node != BrokerCluster.NodeName(victim)).ToList();
            if (elsewhere.Count == 0)
            {
                return round;
            }

            Assert.True(round < 40, $"after {round} rounds {string.Join(", ", elsewhere.Select(c => c.ClientName))} still connect elsewhere");
            foreach (var connection in elsewhere)
            {
                await app.VirtualHost!.CloseConnectionAsync(connection.Name);
            }

            await Eventually.UntilAsync(
                async () => !(await ConnectionsAsync(app)).Any(c => elsewhere.Any(e => e.Name == c.Name)),
                "the closed connections are gone");
        }
    }

    static bool IsPipelineConnection(string clientName) =>
        clientName == "writepipeline-publisher" || clientName.StartsWith("writepipeline-worker", StringComparison.Ordinal);

    /// <summary>Every client connection of the app's vhost: the management API's name for it, its node, the name its client gave it.</summary>
    static async Task<List<(string Name, string Node, string ClientName)>> ConnectionsAsync(PipelineApp app)
    {
        using var json = await app.VirtualHost!.ConnectionsJsonAsync();
        return [.. json.RootElement.EnumerateArray().Select(c => (
            c.GetProperty("name").GetString()!,
            c.GetProperty("node").GetString()!,
            c.TryGetProperty("client_properties", out var properties) && properties.TryGetProperty("connection_name", out var name) ? name.GetString()! : ""))];
    }

    /// <summary>The management API's view of every queue: its type, its leader, its members (sorted) and how many of them are online.</summary>
    static async Task<Dictionary<string, (string Type, string? Leader, List<string> Members, int Online)>> QueuesAsync(PipelineApp app)
    {
        using var json = await app.VirtualHost!.QueuesJsonAsync();
        return json.RootElement.EnumerateArray().ToDictionary(
            q => q.GetProperty("name").GetString()!,
            q => (
                q.GetProperty("type").GetString()!,
                q.TryGetProperty("leader", out var leader) ? leader.GetString() : null,
                q.TryGetProperty("members", out var members) ? members.EnumerateArray().Select(m => m.GetString()!).Order().ToList() : [],
                q.TryGetProperty("online", out var online) ? online.GetArrayLength() : 0));
    }
}
