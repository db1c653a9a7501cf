using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using WritePipeline.Benchmarks.Pipeline;
using WritePipeline.Benchmarks.Reporting;
using WritePipeline.Testing;

namespace WritePipeline.Benchmarks.HotKey;

/// <summary>
/// hot_key: many clients merge-patching the same record, each its own field, one patch after another. Against the
/// pipeline a client waits only for its 202 (the worker orders the patches); against <see cref="SyncEndpoint"/> it
/// reads, patches with If-Match, and on 409 reads and tries again until its patch is taken. Both must end with every
/// patch in the record: each client's field holds its last patch, and the version counts every patch.
/// </summary>
public static class HotKeyScenario
{
    public const string Name = "hot_key";
    const string HotKey = "hot";
    const string WarmKey = "warm-hot";
    const string MergePatchType = "application/merge-patch+json";

    public static async Task RunAsync(BenchmarkSettings settings, Report report)
    {
        var clients = settings.HotClients;
        var patches = clients * settings.HotPatches;
        var warmPatches = Math.Min(settings.HotPatches, 5);

        SubmissionRun pipeline;
        long applied;
        await using (var stack = await PipelineStack.CreateAsync(settings))
        {
            await using var api = await stack.StartApiAsync();
            stack.StartWorker();
            await SeedAsync(api, stack, WarmKey);
            await SeedAsync(api, stack, HotKey);
            await PatchPipelineAsync(api.Http, WarmKey, clients, warmPatches, settings.TimeLimit);
            await stack.WaitUntilFinalAsync(WarmKey, 1 + (clients * warmPatches), Name + " warm-up");

            pipeline = await PatchPipelineAsync(api.Http, HotKey, clients, settings.HotPatches, settings.TimeLimit);
            Console.Error.WriteLine($"  {Name}: {patches} patches accepted; waiting until they are final");
            await stack.WaitUntilFinalAsync(HotKey, 1 + patches, Name);

            // The seed (a PUT) is applied too; the figure counts the patches.
            applied = await stack.Writes.CountAsync(HotKey, "applied") - 1;
            report.Check(applied == patches, Name, $"pipeline: {patches} patches, {applied} applied ({await stack.Writes.StatusesAsync(HotKey)})");
            var (version, document) = await PipelineRecordAsync(stack.Data, HotKey);
            CheckRecord(report, "pipeline", version, 1 + patches, document, clients, settings.HotPatches);
        }

        SubmissionRun sync;
        int conflicts;
        await DatabaseRoom.WaitAsync(settings.TimeLimit);
        await using (var database = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql))
        await using (var endpoint = await SyncEndpoint.StartAsync(database.ConnectionString, clients))
        {
            await endpoint.SeedAsync(WarmKey, """{"name":"warm-hot"}""");
            await endpoint.SeedAsync(HotKey, """{"name":"hot"}""");
            await PatchSyncAsync(endpoint.Http, WarmKey, clients, warmPatches, settings.TimeLimit);

            var before = endpoint.Conflicts;
            sync = await PatchSyncAsync(endpoint.Http, HotKey, clients, settings.HotPatches, settings.TimeLimit);
            conflicts = endpoint.Conflicts - before;
            var (version, document) = await endpoint.ReadAsync(HotKey) ?? throw new InvalidOperationException("The synchronous hot record is gone.");
            CheckRecord(report, "synchronous", version, patches, document, clients, settings.HotPatches);
        }

        report.Add(
            Name,
            new JsonObject
            {
                ["pipeline_p99_ms"] = Report.Number(pipeline.P99Milliseconds),
                ["sync_p99_ms"] = Report.Number(sync.P99Milliseconds),
                ["sync_conflicts"] = conflicts,
                ["pipeline_applied"] = applied,
                ["patches"] = patches,
                ["pipeline_p50_ms"] = Report.Number(pipeline.P50Milliseconds),
                ["sync_p50_ms"] = Report.Number(sync.P50Milliseconds),
                ["pipeline_per_second"] = Report.Number(pipeline.PerSecond),
                ["sync_per_second"] = Report.Number(sync.PerSecond),
            },
            [
                new Row(Name, "pipeline_p99_ms", pipeline.P99Milliseconds, "ms"),
                new Row(Name, "sync_p99_ms", sync.P99Milliseconds, "ms"),
                new Row(Name, "sync_conflicts", conflicts, "409s"),
                new Row(Name, "pipeline_applied", applied, "writes", new Goal($"= {patches}", v => v == patches)),
                new Row(Name, "pipeline p50", pipeline.P50Milliseconds, "ms"),
                new Row(Name, "sync p50", sync.P50Milliseconds, "ms"),
            ]);
    }

    static string Field(int client) => "c" + client;

    static StringContent Patch(int client, int seq) =>
        new($$"""{"{{Field(client)}}":{{seq}}}""", Encoding.UTF8, MergePatchType);

    /// <summary>PUTs the record the patches go to and waits until it is applied (a patch to a missing record conflicts).</summary>
    static async Task SeedAsync(ApiHost api, PipelineStack stack, string key)
    {
        using (var body = new StringContent($$"""{"name":"{{key}}"}""", Encoding.UTF8, "application/json"))
        using (var response = await api.Http.PutAsync(Submitters.RecordPath(key), body))
        {
            await Submitters.ExpectAsync(response, HttpStatusCode.Accepted, CancellationToken.None);
        }

        await stack.WaitUntilFinalAsync(key, 1, Name + " seed");
    }

    /// <summary>Each client PATCHes its field <paramref name="perClient"/> times, each time waiting for the 202.</summary>
    static Task<SubmissionRun> PatchPipelineAsync(HttpClient http, string key, int clients, int perClient, TimeSpan limit) =>
        ClientsAsync(clients, perClient, limit, $"patching '{key}' through the pipeline", async (client, seq, token) =>
        {
            using var body = Patch(client, seq);
            using var response = await http.PatchAsync(Submitters.RecordPath(key), body, token);
            await Submitters.ExpectAsync(response, HttpStatusCode.Accepted, token);
        });

    /// <summary>Each client reads, PATCHes with If-Match, and on 409 reads and tries again, until its patch is taken.</summary>
    static Task<SubmissionRun> PatchSyncAsync(HttpClient http, string key, int clients, int perClient, TimeSpan limit) =>
        ClientsAsync(clients, perClient, limit, $"patching '{key}' synchronously", async (client, seq, token) =>
        {
            while (true)
            {
                EntityTagHeaderValue read;
                using (var current = await http.GetAsync($"/records/{key}", token))
                {
                    await Submitters.ExpectAsync(current, HttpStatusCode.OK, token);
                    read = current.Headers.ETag ?? throw new InvalidOperationException("The synchronous endpoint sent no ETag.");
                }

                using var request = new HttpRequestMessage(HttpMethod.Patch, $"/records/{key}") { Content = Patch(client, seq) };
                request.Headers.IfMatch.Add(read);
                using var response = await http.SendAsync(request, token);
                if (response.StatusCode == HttpStatusCode.Conflict)
                {
                    continue;
                }

                await Submitters.ExpectAsync(response, HttpStatusCode.OK, token);
                return;
            }
        });

    /// <summary><paramref name="clients"/> concurrent clients, each doing <paramref name="perClient"/> operations in sequence; each one timed.</summary>
    static Task<SubmissionRun> ClientsAsync(int clients, int perClient, TimeSpan limit, string what, Func<int, int, CancellationToken, Task> operation) =>
        Poll.WithinAsync(
            async cancellationToken =>
            {
                var latencies = new double[clients * perClient];
                var clock = Stopwatch.StartNew();
                await Parallel.ForEachAsync(
                    Enumerable.Range(0, clients),
                    new ParallelOptions { MaxDegreeOfParallelism = clients, CancellationToken = cancellationToken },
                    async (client, token) =>
                    {
                        for (var seq = 1; seq <= perClient; seq++)
                        {
                            var started = Stopwatch.GetTimestamp();
                            await operation(client, seq, token);
                            latencies[(client * perClient) + seq - 1] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        }
                    });
                return new SubmissionRun(clients * perClient, clock.Elapsed, latencies);
            },
            what,
            limit);

    static async Task<(long Version, string Document)> PipelineRecordAsync(NpgsqlDataSource data, string key)
    {
        await using var command = data.CreateCommand("""SELECT "Version", "Document" FROM records WHERE "Collection" = $1 AND "Key" = $2""");
        command.Parameters.Add(new NpgsqlParameter { Value = Submitters.Collection });
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? (reader.GetInt64(0), reader.IsDBNull(1) ? "null" : reader.GetString(1))
            : (0, "null");
    }

    /// <summary>No patch lost: the version counts every write, and each client's field holds its last patch.</summary>
    static void CheckRecord(Report report, string side, long version, long expectedVersion, string document, int clients, int perClient)
    {
        report.Check(version == expectedVersion, Name, $"{side}: the record is at version {version}, not {expectedVersion}");
        var json = JsonNode.Parse(document) as JsonObject;
        var wrong = Enumerable.Range(0, clients).Count(c => json?[Field(c)]?.GetValue<int>() != perClient);
        report.Check(wrong == 0, Name, $"{side}: {wrong} of {clients} clients' fields do not hold their last patch ({perClient})");
    }
}
