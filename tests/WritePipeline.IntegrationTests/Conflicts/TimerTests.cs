using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Conflicts;

/// <summary>
/// The decision deadline of a notified conflict is a Quartz timer in the database: it survives the worker that set
/// it, and fires on exactly one of several workers. Real worker processes, killed with SIGKILL.
/// </summary>
public sealed class TimerTests : IAsyncLifetime
{
    static readonly TimeSpan DecisionTimeout = TimeSpan.FromSeconds(8);

    PipelineApp _app = null!;
    WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with { HostsWorker = false, Overrides = WebhooksFixture.Settings(DecisionTimeout) });
        await _app.UntilReadyAsync();
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _app.DisposeAsync();
    }

    static IEnumerable<string> Queues => [.. Enumerable.Range(0, 8).Select(PartitionMap.QueueName), ConflictSagaDefinition.QueueName];

    /// <summary>A conflicted write whose submitter was notified; the saga now waits on its decision timer.</summary>
    async Task<Guid> NotifiedConflictAsync()
    {
        var (_, http) = await _app.CreateClientAsync();
        var url = _receiver.NewEndpoint(out _);
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/v1/webhooks", new { url, events = new[] { "write.conflicted" } })).StatusCode);
        var writeId = await http.PatchAsync("customers", TestKeys.New("c"), new JsonObject { ["name"] = "x" }).AcceptedAsync();
        await http.UntilStatusAsync(writeId, "notified");
        return writeId;
    }

    async Task AssertTheTimerFiredOnceAsync(Guid writeId)
    {
        var (_, http) = await _app.CreateClientAsync();
        await Eventually.UntilAsync(
            async () => (await _app.QueryAsync(db => db.Writes.AsNoTracking().SingleAsync(w => w.Id == writeId))).Status == "parked",
            "the decision deadline parks the write",
            TimeSpan.FromSeconds(90));

        // Once Quartz has let go of the timer (no trigger, no firing in progress), no second firing can come.
        var name = ConflictDecisionJob.NameOf(writeId, 1);
        await Eventually.UntilAsync(
            async () => await _app.QueryAsync(async db =>
                await db.Database.SqlQueryRaw<int>("select count(*) as \"Value\" from qrtz_triggers where trigger_name = {0}", name).SingleAsync() == 0
                && await db.Database.SqlQueryRaw<int>("select count(*) as \"Value\" from qrtz_fired_triggers where trigger_name = {0}", name).SingleAsync() == 0),
            "the timer is done");
        var saga = await _app.QueryAsync(db => db.ConflictSagas.AsNoTracking().SingleAsync(s => s.CorrelationId == writeId));
        Assert.Equal(1, saga.DecisionTimersFired);
        Assert.Equal("Parked", saga.CurrentState);
    }

    [Fact]
    public async Task A_timer_set_by_a_worker_that_is_killed_fires_once_on_the_worker_that_replaces_it()
    {
        await using var first = WorkerProcess.Start(_app.SharedSettings);
        await _app.UntilConsumersAsync(Queues, 1, first);
        var writeId = await NotifiedConflictAsync();

        first.Kill();
        await using var second = WorkerProcess.Start(_app.SharedSettings);
        await _app.UntilConsumersAsync(Queues, 1, second);

        await AssertTheTimerFiredOnceAsync(writeId);
    }

    [Fact]
    public async Task A_timer_fires_once_with_two_workers_running()
    {
        await using var first = WorkerProcess.Start(_app.SharedSettings);
        await _app.UntilConsumersAsync(Queues, 1, first);
        await using var second = WorkerProcess.Start(_app.SharedSettings);
        await _app.UntilConsumersAsync([ConflictSagaDefinition.QueueName], 2, second);

        var writeId = await NotifiedConflictAsync();

        await AssertTheTimerFiredOnceAsync(writeId);
    }
}
