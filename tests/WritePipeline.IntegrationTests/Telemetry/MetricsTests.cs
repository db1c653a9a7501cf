using System.Net.Http.Json;
using System.Text.Json.Nodes;
using WritePipeline.Testing;
using static WritePipeline.IntegrationTests.Support.PrometheusText;

namespace WritePipeline.IntegrationTests.Telemetry;

/// <summary>
/// /metrics on the API and on a worker (Prometheus text): after known traffic in a collection of its own, the API
/// counted what it accepted, the worker what it applied (in turn and by a decision) and what conflicted, the latency
/// histogram the writes applied in their turn, the batch histogram every message, and the backlog gauge every partition;
/// both report the waiting writes and saga states of the pipeline's database, the worker the partitions it owns.
/// </summary>
public sealed class MetricsTests
{
    const int Applied = 10;
    const int Conflicted = 3;

    [Fact]
    public async Task The_api_and_a_worker_count_what_they_did_at_metrics()
    {
        // A collection of this test's own: the API's counters live in the test process, which other tests share.
        var collection = "metrics_" + Guid.NewGuid().ToString("N")[..8];
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with
        {
            HostsWorker = false,
            Overrides = new Dictionary<string, string?>
            {
                [$"WritePipeline:Collections:{collection}:ConflictPolicy"] = "park",
                ["WritePipeline:Telemetry:GaugeInterval"] = "00:00:01",
            },
        });
        await app.UntilReadyAsync();
        await using var worker = WorkerProcess.Start(app.SharedSettings);
        await app.UntilSharedAsync(worker);
        var (_, http) = await app.CreateClientAsync();

        var writes = new List<Guid>();
        for (var i = 0; i < Applied; i++)
        {
            writes.Add(await http.PutAsync(collection, $"k{i}", new JsonObject { ["n"] = i }).AcceptedAsync());
        }

        // A record at version 1 does not match If-Match 7: each of these conflicts.
        for (var i = 0; i < Conflicted; i++)
        {
            writes.Add(await http.PutAsync(collection, $"k{i}", new JsonObject { ["n"] = -i }, Api.IfMatch(7)).AcceptedAsync());
        }

        foreach (var write in writes)
        {
            await http.UntilStatusAsync(write, "applied", "parked", "notified");
        }

        // A write behind a parked one to the same record waits there.
        var held = await http.PutAsync(collection, "k0", new JsonObject { ["n"] = 100 }).AcceptedAsync();
        await http.UntilStatusAsync(held, "held");

        var labels = $"collection=\"{collection}\",operation=\"replace\"";
        var api = await ScrapeAsync(app.CreateHttpClient());
        Assert.Equal(Applied + Conflicted + 1, Value(api, "writepipeline_writes_accepted_total", labels));
        // The backlog is read from the broker in the background: it shows from the scrape after the first reading.
        await Eventually.UntilAsync(
            async () =>
            {
                api = await ScrapeAsync(app.CreateHttpClient());
                return Enumerable.Range(0, 8).All(p => Has(api, "writepipeline_partition_backlog", $"partition=\"{p}\""));
            },
            "the backlog gauge has every partition");

        // One parked write overwritten by an operator: applied, but its wait for a person is not a latency.
        var @operator = await app.CreateOperatorAsync("operator");
        var decided = writes[^1];
        var decision = await @operator.PostAsJsonAsync($"/v1/admin/writes/{decided}/resolution", new JsonObject { ["action"] = "overwrite" });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, decision.StatusCode);
        await http.UntilStatusAsync(decided, "applied");

        using var toWorker = new HttpClient { BaseAddress = await worker.BaseAddressAsync() };
        string scraped = "";
        await Eventually.UntilAsync(
            async () =>
            {
                scraped = await ScrapeAsync(toWorker);
                // A batch is acknowledged just after it commits: the write shows applied a moment before its ack.
                return Value(scraped, "writepipeline_writes_applied_total", labels) == Applied + 1 && Value(scraped, "writepipeline_writes_conflicted_total", labels) == Conflicted
                    && Value(scraped, "writepipeline_partition_unacknowledged", "") == 0;
            },
            "the worker's counters show the traffic and it holds nothing unacknowledged");
        Assert.Equal(Applied, Value(scraped, "writepipeline_write_duration_seconds_count", labels));
        Assert.Equal(Enumerable.Repeat(1.0, 8), Enumerable.Range(0, 8).Select(p => Value(scraped, "writepipeline_partition_owned", $"partition=\"{p}\"")));
        // Everything applied is acknowledged: nothing of any partition is left in the worker's hands.
        Assert.All(Enumerable.Range(0, 8), p => Assert.True(Has(scraped, "writepipeline_partition_unacknowledged", $"partition=\"{p}\""), $"partition {p}"));
        Assert.Equal(0, Value(scraped, "writepipeline_partition_unacknowledged", ""));

        // The database's figures, the same on both hosts: two parked (one of the three was overwritten), one held.
        foreach (var host in new[] { app.CreateHttpClient(), toWorker })
        {
            await Eventually.UntilAsync(
                async () =>
                {
                    scraped = await ScrapeAsync(host);
                    return Value(scraped, "writepipeline_writes_waiting", "status=\"parked\"") == Conflicted - 1
                        && Value(scraped, "writepipeline_writes_waiting", "status=\"held\"") == 1
                        && Value(scraped, "writepipeline_conflict_sagas", "state=\"Parked\"") == Conflicted - 1;
                },
                "the gauges show two parked writes, their sagas and the held write");
            Assert.Equal(0, Value(scraped, "writepipeline_writes_waiting", "status=\"failed\""));
            Assert.InRange(Value(scraped, "writepipeline_writes_oldest_waiting_age_seconds", ""), 0.001, 600);
        }

        Assert.True(Value(scraped, "writepipeline_apply_batch_size_sum", "") >= Applied + Conflicted, "the batches hold every message");
        // The runtime's, Npgsql's and ASP.NET Core's own instruments are exported too.
        Assert.Matches("(?m)^dotnet_gc_collections_total", scraped);
        Assert.Matches("(?m)^db_client_", scraped);
        Assert.Matches("(?m)^http_server_request_duration_seconds_count", api);
    }
}
