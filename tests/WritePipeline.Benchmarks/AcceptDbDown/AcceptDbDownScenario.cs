using System.Text.Json.Nodes;
using WritePipeline.Benchmarks.Pipeline;
using WritePipeline.Benchmarks.Reporting;
using WritePipeline.Testing;

namespace WritePipeline.Benchmarks.AcceptDbDown;

/// <summary>
/// accept_db_down: accept_only with PostgreSQL stopped for the whole measured run. The API answers 202 on the broker's
/// confirm alone and authenticates a key it has already seen from memory, so the writes should be taken at about
/// accept_only's rate and none refused. The database is on a server of the scenario's own
/// (<see cref="TestPostgresServer"/>): the machine's shared server is never stopped.
/// </summary>
public static class AcceptDbDownScenario
{
    public const string Name = "accept_db_down";

    public static async Task RunAsync(BenchmarkSettings settings, Report report)
    {
        var perKey = settings.PerKey(settings.Writes);
        var total = perKey * settings.Keys;
        await using var postgres = await TestPostgresServer.StartAsync();
        await using var stack = await PipelineStack.CreateAsync(settings, postgres.ConnectionString);
        await using var api = await stack.StartApiAsync();

        // With the database up: the warm-up also makes the API process know the benchmark client's key.
        var warm = await Warmup.PutAsync(api, settings);
        SubmissionRun run;
        await postgres.StopAsync();
        try
        {
            run = await Submitters.PutCountingRefusalsAsync(api.Http, "bench-", settings.Keys, perKey, settings.Concurrency, settings.TimeLimit);
        }
        finally
        {
            // Up again before the stack ends: its cleanup drops the database on this server.
            await postgres.StartAgainAsync();
        }

        // As in accept_only: every 202 must stand for a write on its partition queue.
        var onQueues = await stack.CountPartitionMessagesAsync();
        report.Check(onQueues == run.Accepted + warm, Name, $"{run.Accepted} writes and {warm} warm-up writes answered 202 but the partition queues hold {onQueues} messages");
        Console.Error.WriteLine($"  {Name}: {run.PerSecond:0}/s with PostgreSQL down, {run.Refused} of {total} refused");

        report.Add(
            Name,
            new JsonObject
            {
                ["per_second"] = Report.Number(run.PerSecond),
                ["refused"] = run.Refused,
                ["writes"] = total,
                ["accept_p50_ms"] = Report.Number(run.P50Milliseconds),
                ["accept_p99_ms"] = Report.Number(run.P99Milliseconds),
            },
            [
                new Row(Name, "per_second", run.PerSecond, "writes/s"),
                new Row(Name, "refused", run.Refused, "writes", Goal.Exactly(0)),
                new Row(Name, "202 p50", run.P50Milliseconds, "ms"),
                new Row(Name, "202 p99", run.P99Milliseconds, "ms"),
            ]);
    }
}
