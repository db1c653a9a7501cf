using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Testing;
using Xunit.Abstractions;

namespace WritePipeline.IntegrationTests.Webhooks;

/// <summary>
/// One client's endpoints that never answer hold at most its share of the delivery slots: another client's deliveries
/// and the decision deadlines go on as usual. Real HTTP through RabbitMQ and PostgreSQL, a real silent TCP server.
/// </summary>
public sealed class WebhookFairnessTests(WebhookFairnessFixture fixture, ITestOutputHelper output) : IClassFixture<WebhookFairnessFixture>, IAsyncLifetime
{
    public const int MaxEndpoints = 10;
    public const int SlotsPerClient = 4;
    public static readonly TimeSpan DecisionTimeout = TimeSpan.FromSeconds(6);

    /// <summary>What "within seconds" means here; an attempt at the silent server lasts three times as long.</summary>
    static readonly TimeSpan Promptly = TimeSpan.FromSeconds(5);

    readonly PipelineApp _app = fixture.App;
    WebhookReceiver _receiver = null!;
    SilentServer _silent = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _silent = new SilentServer();
    }

    public async Task DisposeAsync()
    {
        await _silent.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    static async Task<Guid> AddEndpointAsync(HttpClient http, string url, params string[] events)
    {
        var created = await http.PostAsJsonAsync("/v1/webhooks", new { url, events });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.JsonAsync())["endpoint"]!["id"]!.GetValue<Guid>();
    }

    [Fact]
    public async Task A_client_whose_endpoints_never_answer_delays_neither_other_clients_nor_the_deadlines()
    {
        // A client with the most endpoints it may have, all silent: every applied write owes each of them a delivery.
        var (_, slow) = await _app.CreateClientAsync("slow");
        for (var i = 0; i < MaxEndpoints; i++)
        {
            await AddEndpointAsync(slow, _silent.Url($"hooks/{i}"), "write.applied");
        }

        var (_, healthy) = await _app.CreateClientAsync("healthy");
        var url = _receiver.NewEndpoint(out var name);
        await AddEndpointAsync(healthy, url, "write.applied", "write.conflicted");

        // 50 deliveries due at once: more than the slow client's slots, and more than the 16 timer threads.
        for (var i = 0; i < 5; i++)
        {
            await slow.AppliedAsync(slow.PutAsync("customers", TestKeys.New("slow"), new JsonObject { ["n"] = i }));
        }

        await Eventually.UntilAsync(() => Task.FromResult(_silent.Open >= SlotsPerClient), $"the silent server holds {SlotsPerClient} attempts", TimeSpan.FromSeconds(30));

        // While the silent server holds them, the healthy client's deliveries arrive promptly, one after another.
        for (var i = 0; i < 3; i++)
        {
            var key = TestKeys.New("healthy");
            await healthy.AppliedAsync(healthy.PutAsync("customers", key, new JsonObject { ["n"] = i }));
            var applied = DateTimeOffset.UtcNow;
            await Eventually.UntilAsync(
                () => Task.FromResult(_receiver.For(name).Any(r => r.Type == "write.applied" && r.Json["data"]!["key"]!.GetValue<string>() == key)),
                $"the healthy client's delivery {i} arrives within {Promptly.TotalSeconds} s",
                Promptly);
            output.WriteLine($"healthy delivery {i} arrived {(DateTimeOffset.UtcNow - applied).TotalSeconds:0.0} s after its write was applied, with {_silent.Open} attempts open at the silent server");
        }

        // A notified conflict of the healthy client: its deadline parks it on time, although the slow client still waits.
        var conflicted = await healthy.PatchAsync("customers", TestKeys.New("late"), new JsonObject { ["n"] = 1 }).AcceptedAsync();
        await healthy.UntilStatusAsync(conflicted, "notified");
        var due = (await _app.QueryAsync(db => db.ConflictSagas.AsNoTracking().SingleAsync(s => s.CorrelationId == conflicted))).DecisionDeadline!.Value;
        await Eventually.UntilAsync(
            async () => (await (await healthy.GetAsync($"/v1/writes/{conflicted}")).JsonAsync())["status"]!.GetValue<string>() == "parked",
            "the decision deadline parks the write",
            DecisionTimeout + Promptly + Promptly);
        var parkedAt = (await _app.QueryAsync(db => db.ConflictSagas.AsNoTracking().SingleAsync(s => s.CorrelationId == conflicted))).ParkedAt!.Value;
        var late = parkedAt - due;
        output.WriteLine($"the decision deadline fired {late.TotalSeconds:0.0} s after it was due, with {_silent.Open} attempts open at the silent server");
        Assert.True(late < Promptly, $"the deadline fired {late} late");

        // Slots are given back and taken again (a second and third round of attempts), and never more than the share at once,
        // while the rest of the slow client's deliveries wait long past the sweeper's notion of overdue.
        await Eventually.UntilAsync(() => Task.FromResult(_silent.Deliveries >= 3 * SlotsPerClient), "three rounds of slow attempts", TimeSpan.FromSeconds(90));
        output.WriteLine($"the silent server saw {_silent.Deliveries} deliveries, at most {_silent.MostOpen} at once");
        Assert.Equal(SlotsPerClient, _silent.MostOpen);
        Assert.Empty(_silent.Overlaps);

        // The worker's metrics show the same: the healthy client's first attempts succeeded, the slow client's are retried, the rest wait.
        var metrics = await (await _app.CreateHttpClient().GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.True(Sample(metrics, "writepipeline_webhook_attempts_total", "attempt=\"1\"", "outcome=\"succeeded\"") >= 4, metrics);
        Assert.True(Sample(metrics, "writepipeline_webhook_attempts_total", "attempt=\"1\"", "outcome=\"retrying\"") >= 2 * SlotsPerClient, metrics);
        Assert.True(Sample(metrics, "writepipeline_webhook_deliveries", "state=\"waiting\"") > 0, metrics);
    }

    /// <summary>The sum of a metric's samples (Prometheus text) whose labels include all of <paramref name="labels"/>.</summary>
    static double Sample(string metrics, string name, params string[] labels) => metrics.Split('\n')
        .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(label => line.Contains(label, StringComparison.Ordinal)))
        .Sum(line => double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task An_endpoint_beyond_the_limit_is_refused_until_one_is_removed()
    {
        var (_, http) = await _app.CreateClientAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < MaxEndpoints; i++)
        {
            ids.Add(await AddEndpointAsync(http, _receiver.NewEndpoint(out _), "write.parked"));
        }

        var refused = await http.PostAsJsonAsync("/v1/webhooks", new { url = _receiver.NewEndpoint(out _), events = new[] { "write.parked" } });
        await Api.AssertProblemAsync(refused, HttpStatusCode.Conflict, "too-many-endpoints");

        // A disabled endpoint still counts: it can be enabled again at any time.
        Assert.Equal(HttpStatusCode.OK, (await http.PatchAsJsonAsync($"/v1/webhooks/{ids[0]}", new { enabled = false })).StatusCode);
        var stillRefused = await http.PostAsJsonAsync("/v1/webhooks", new { url = _receiver.NewEndpoint(out _), events = new[] { "write.parked" } });
        Assert.Equal(HttpStatusCode.Conflict, stillRefused.StatusCode);
        Assert.Contains($"at most {MaxEndpoints}", (await stillRefused.JsonAsync())["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/v1/webhooks/{ids[0]}")).StatusCode);
        await AddEndpointAsync(http, _receiver.NewEndpoint(out _), "write.parked");
        Assert.Equal(MaxEndpoints, (await (await http.GetAsync("/v1/webhooks")).JsonArrayAsync()).Count);

        // Another client has its own allowance.
        var (_, other) = await _app.CreateClientAsync();
        await AddEndpointAsync(other, _receiver.NewEndpoint(out _), "write.parked");
    }
}
