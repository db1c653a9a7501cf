using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Testing;
using Xunit.Abstractions;

namespace WritePipeline.IntegrationTests.Webhooks;

/// <summary>
/// Webhook deliveries waiting in a worker's delivery slots are claimed in the database: the sweeper leaves them to that
/// worker while it lives, and gives them to another once it is killed (its claims lapse) or stopped (it gives them
/// back). Real worker processes, SIGKILL and SIGTERM.
/// </summary>
public sealed class WebhookHandoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    const int Endpoints = 3;
    const int Writes = 4;

    PipelineApp _app = null!;
    WebhookReceiver _receiver = null!;
    SilentServer _silent = null!;

    public async Task InitializeAsync()
    {
        _app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with
        {
            HostsWorker = false,
            Overrides = new Dictionary<string, string?>(WebhooksFixture.Settings(TimeSpan.FromMinutes(5)))
            {
                ["WritePipeline:Webhooks:Timeout"] = "00:00:15",
                ["WritePipeline:Webhooks:DeliverySlots"] = "2",
                ["WritePipeline:Webhooks:SlotsPerClient"] = "1",
            },
        });
        await _app.UntilReadyAsync();
        _receiver = await WebhookReceiver.StartAsync();
        _silent = new SilentServer();
    }

    public async Task DisposeAsync()
    {
        await _silent.DisposeAsync();
        await _receiver.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Deliveries_waiting_in_a_worker_that_is_killed_or_stopped_are_attempted_once_by_another(bool graceful)
    {
        await using var first = WorkerProcess.Start(_app.SharedSettings);
        await _app.UntilConsumersAsync([.. Enumerable.Range(0, 8).Select(PartitionMap.QueueName), ConflictSagaDefinition.QueueName], 1, first);
        await using var second = WorkerProcess.Start(_app.SharedSettings);
        await _app.UntilConsumersAsync([ConflictSagaDefinition.QueueName], 2, second);

        var (clientId, http) = await _app.CreateClientAsync();
        var endpoints = new List<Guid>();
        for (var i = 0; i < Endpoints; i++)
        {
            var created = await http.PostAsJsonAsync("/v1/webhooks", new { url = _silent.Url($"hooks/{i}"), events = new[] { "write.applied" } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            endpoints.Add((await created.JsonAsync())["endpoint"]!["id"]!.GetValue<Guid>());
        }

        for (var i = 0; i < Writes; i++)
        {
            await http.AppliedAsync(http.PutAsync("customers", TestKeys.New("h"), new JsonObject { ["n"] = i }));
        }

        // Each worker attempts at most one of the client's deliveries at a time; the others wait in the workers, claimed.
        // Which worker's timers fire is Quartz's choice (one may take them all): the worker left out is the one holding some.
        await Eventually.UntilAsync(() => Task.FromResult(_silent.Open >= 1), "a worker attempts a delivery", TimeSpan.FromSeconds(30));
        await Eventually.UntilAsync(
            async () => await _app.QueryAsync(db => db.WebhookDeliveries.CountAsync(d => d.ClientId == clientId && d.NextAttemptAt > DateTimeOffset.UtcNow)) == Endpoints * Writes,
            "every delivery is claimed by a worker");
        var held = new[] { await HeldAsync(first), await HeldAsync(second) };
        output.WriteLine($"deliveries held: first worker {held[0]}, second {held[1]}");
        Assert.True(held.Max() > 0, "no worker holds a delivery");
        var victim = held[0] > 0 ? first : second;

        // Three rounds of attempts, long past the sweeper's notion of overdue: nothing is armed again behind the workers' backs.
        await Eventually.UntilAsync(() => Task.FromResult(_silent.Deliveries >= 6), "three rounds of attempts", TimeSpan.FromSeconds(150));
        Assert.Empty(_silent.Overlaps);
        Assert.True(_silent.MostOpen <= 2, $"{_silent.MostOpen} attempts open at once");

        if (graceful)
        {
            await victim.StopAsync();
        }
        else
        {
            victim.Kill();
        }

        var gone = DateTimeOffset.UtcNow;
        var names = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var url = _receiver.NewEndpoint(out var name);
            names.Add(name);
            Assert.Equal(HttpStatusCode.OK, (await http.PatchAsJsonAsync($"/v1/webhooks/{endpoint}", new { url })).StatusCode);
        }

        // A killed worker's claims lapse, a stopped one gives them back (so they need not wait for that), the sweeper arms
        // them again, and the worker left delivers everything.
        await Eventually.UntilAsync(
            async () => await _app.QueryAsync(db => db.WebhookDeliveries.CountAsync(d => d.ClientId == clientId && d.Status == WebhookDeliveryStatus.Succeeded)) == Endpoints * Writes,
            "every delivery succeeds",
            graceful ? WebhookDispatcher.ClaimDuration : WebhookDispatcher.ClaimDuration + TimeSpan.FromMinutes(1));
        output.WriteLine($"all delivered {(DateTimeOffset.UtcNow - gone).TotalSeconds:0} s after the worker was {(graceful ? "stopped" : "killed")}; the silent server saw {_silent.Deliveries} deliveries, at most {_silent.MostOpen} at once");

        // Each delivery reached the receiver once: none was lost with the killed worker, none was attempted by both.
        var ids = await _app.QueryAsync(db => db.WebhookDeliveries.AsNoTracking().Where(d => d.ClientId == clientId).Select(d => d.Id).ToListAsync());
        Assert.Equal(ids.Select(id => "msg_" + id.ToString("N")).Order(), names.SelectMany(_receiver.For).Select(r => r.Id).Order());
        Assert.Empty(_silent.Overlaps);
    }

    /// <summary>The deliveries a worker holds (waiting for a slot or being attempted), from its own gauge.</summary>
    static async Task<double> HeldAsync(WorkerProcess worker)
    {
        using var http = new HttpClient { BaseAddress = await worker.BaseAddressAsync() };
        return PrometheusText.Value(await PrometheusText.ScrapeAsync(http), "writepipeline_webhook_deliveries", "state=");
    }
}
