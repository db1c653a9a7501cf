using System.Text.Json.Nodes;
using Npgsql;
using WritePipeline.Benchmarks.Pipeline;
using WritePipeline.Benchmarks.Reporting;
using WritePipeline.Testing;

namespace WritePipeline.Benchmarks.ApplyOnly;

/// <summary>
/// apply_only: how fast one worker process drains a backlog. The backlog is preloaded through the API with no worker
/// running; then one worker process is started and timed from its start until every write is final. Held against
/// <see cref="TightLoop"/> recording and applying the same writes (<see cref="BacklogWrites"/>) on a second database
/// migrated the same way.
/// </summary>
public static class ApplyOnlyScenario
{
    public const string Name = "apply_only";
    const string Keys = "bench-%";

    public static async Task RunAsync(BenchmarkSettings settings, Report report)
    {
        var perKey = settings.PerKey(settings.Backlog);
        var total = perKey * settings.Keys;
        await using var stack = await PipelineStack.CreateAsync(settings);
        await using (var api = await stack.StartApiAsync())
        {
            await Submitters.PutAsync(api.Http, "bench-", settings.Keys, perKey, settings.Concurrency, settings.TimeLimit);
            await stack.StopAsync(api.Process);
        }

        // The API records nothing before its 202: until the worker runs, the backlog is the messages on the partition queues.
        var onQueues = await stack.CountPartitionMessagesAsync();
        report.Check(onQueues == total, Name, $"{total} writes preloaded but the partition queues hold {onQueues} messages");

        // The tight loop's database: no rows to copy, so the loop records the same writes itself (BacklogWrites).
        await using var loopDatabase = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql);
        await PipelineStack.MigrateAsync(loopDatabase.ConnectionString, settings);

        Console.Error.WriteLine($"  {Name}: {onQueues} writes on the partition queues; starting one worker");
        var started = DateTimeOffset.UtcNow;
        var worker = stack.StartWorker();
        await stack.WaitUntilFinalAsync(Keys, total, Name);
        var summary = await stack.Writes.SummarizeAsync(Keys);
        await stack.StopAsync(worker);
        report.Check(summary.Applied == total, Name, $"{total} writes, {summary.Applied} applied ({await stack.Writes.StatusesAsync(Keys)})");

        // From the worker's start to the last write's completion (the worker's clock, the same machine's).
        var workerTime = (summary.LastCompleted ?? DateTimeOffset.UtcNow) - started;
        var perSecond = total / workerTime.TotalSeconds;
        var untilFirst = (summary.FirstCompleted ?? started) - started;
        var steady = summary.LastCompleted > summary.FirstCompleted
            ? (total - 1) / (summary.LastCompleted.Value - summary.FirstCompleted!.Value).TotalSeconds
            : double.NaN;

        var loopTime = await Poll.WithinAsync(
            token => TightLoop.RunAsync(
                loopDatabase.ConnectionString,
                BacklogWrites.InSubmissionOrder("bench-", settings.Keys, perKey, settings.Concurrency, settings.Partitions),
                settings.BatchSize,
                settings.Warmup,
                token),
            "running the tight loop",
            settings.TimeLimit);
        var loopPerSecond = total / loopTime.TotalSeconds;
        var pipelineRecords = await RecordsAsync(stack.Database.ConnectionString);
        var loopRecords = await RecordsAsync(loopDatabase.ConnectionString);
        report.Check(pipelineRecords == loopRecords, Name, $"the worker left {pipelineRecords}, the tight loop {loopRecords}: they did not do the same work");

        var ratio = perSecond / loopPerSecond;
        report.Add(
            Name,
            new JsonObject
            {
                ["per_second"] = Report.Number(perSecond),
                ["tight_loop_per_second"] = Report.Number(loopPerSecond),
                ["ratio"] = Report.Number(ratio, 3),
                ["writes"] = total,
                ["applied"] = summary.Applied,
                ["worker_seconds"] = Report.Number(workerTime.TotalSeconds, 2),
                ["start_to_first_final_ms"] = Report.Number(untilFirst.TotalMilliseconds),
                ["after_first_final_per_second"] = Report.Number(steady),
            },
            [
                new Row(Name, "per_second", perSecond, "writes/s"),
                new Row(Name, "tight_loop_per_second", loopPerSecond, "writes/s"),
                new Row(Name, "ratio", ratio, "", Goal.AtLeast(0.5)),
                new Row(Name, "start to first final", untilFirst.TotalMilliseconds, "ms"),
                new Row(Name, "after first final", steady, "writes/s"),
            ]);
    }

    /// <summary>Records, their versions, history rows and applied writes, e.g. "200 records, 20000 versions, 20000 history rows, 20000 applied writes".</summary>
    static async Task<string> RecordsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT (SELECT count(*) FROM records), (SELECT coalesce(sum("Version"), 0) FROM records), (SELECT count(*) FROM record_versions),
                   (SELECT count(*) FROM writes WHERE "Status" = 'applied')
            """,
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return $"{reader.GetInt64(0)} records, {reader.GetFieldValue<decimal>(1)} versions, {reader.GetInt64(2)} history rows, {reader.GetInt64(3)} applied writes";
    }
}
