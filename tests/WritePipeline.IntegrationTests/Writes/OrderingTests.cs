using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace WritePipeline.IntegrationTests.Writes;

/// <summary>Per-key order and exactly-once under concurrent load, on real RabbitMQ and PostgreSQL.</summary>
public sealed class OrderingTests(RabbitMqPostgresFixture fixture, ITestOutputHelper output) : IClassFixture<RabbitMqPostgresFixture>
{
    readonly PipelineApp _app = fixture.App;

    [Fact]
    public async Task Every_key_holds_its_writes_in_submission_order_with_no_gap_and_no_duplicate()
    {
        var keys = int.Parse(Environment.GetEnvironmentVariable("WP_ORDER_KEYS") ?? "200");
        var writesPerKey = int.Parse(Environment.GetEnvironmentVariable("WP_ORDER_WRITES") ?? "50");
        var (clientId, http) = await _app.CreateClientAsync();
        var prefix = "ord-" + Guid.NewGuid().ToString("N")[..6] + "-";

        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Keys run concurrently; within a key, a write is submitted once the previous one has its 202, which is
        // the order the broker accepted them in.
        await Parallel.ForEachAsync(Enumerable.Range(0, keys), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (k, _) =>
        {
            for (var seq = 1; seq <= writesPerKey; seq++)
            {
                var response = await http.PutAsync("customers", prefix + k, new JsonObject { ["seq"] = seq });
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }
        });

        var submitted = clock.Elapsed;
        await _app.UntilDrainedAsync(clientId, keys * writesPerKey, TimeSpan.FromMinutes(5));
        output.WriteLine($"{keys * writesPerKey} writes: all accepted after {submitted.TotalSeconds:0.0}s, all final after {clock.Elapsed.TotalSeconds:0.0}s");

        var history = await _app.HistoryAsync("customers", prefix);
        AssertInOrderWithoutGapsOrDuplicates(history, keys, writesPerKey);
    }

    internal static void AssertInOrderWithoutGapsOrDuplicates(List<RecordVersion> history, int keys, int writesPerKey)
    {
        var byKey = history.GroupBy(v => v.Key).ToList();
        Assert.Equal(keys, byKey.Count);
        foreach (var versions in byKey)
        {
            var ordered = versions.OrderBy(v => v.Version).ToList();
            Assert.Equal(Enumerable.Range(1, writesPerKey).Select(v => (long)v), ordered.Select(v => v.Version));
            Assert.Equal(Enumerable.Range(1, writesPerKey), ordered.Select(v => JsonNode.Parse(v.Document!)!["seq"]!.GetValue<int>()));
            Assert.Equal(writesPerKey, ordered.Select(v => v.WriteId).Distinct().Count());
        }
    }
}
