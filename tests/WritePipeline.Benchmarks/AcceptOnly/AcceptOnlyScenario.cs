using System.Text.Json.Nodes;
using WritePipeline.Benchmarks.Pipeline;
using WritePipeline.Benchmarks.Reporting;

namespace WritePipeline.Benchmarks.AcceptOnly;

/// <summary>
/// accept_only: how fast the API takes writes when nothing consumes them (API process with Worker:Enabled=false, no
/// worker process), held against bare MassTransit sending the same messages to the same kind of queues.
/// </summary>
public static class AcceptOnlyScenario
{
    public const string Name = "accept_only";

    public static async Task RunAsync(BenchmarkSettings settings, Report report)
    {
        var perKey = settings.PerKey(settings.Writes);
        var total = perKey * settings.Keys;
        SubmissionRun pipeline;
        await using (var stack = await PipelineStack.CreateAsync(settings))
        {
            await using var api = await stack.StartApiAsync();
            var warm = await Warmup.PutAsync(api, settings);
            pipeline = await Submitters.PutAsync(api.Http, "bench-", settings.Keys, perKey, settings.Concurrency, settings.TimeLimit);

            // Every 202 must stand for a write on its partition queue (the API records nothing before a 202, and no
            // worker takes them), or the rate would be of answers, not of accepted writes.
            var onQueues = await stack.CountPartitionMessagesAsync();
            report.Check(onQueues == total + warm, Name, $"{total} writes and {warm} warm-up writes answered 202 but the partition queues hold {onQueues} messages");
            Console.Error.WriteLine($"  {Name}: pipeline {pipeline.PerSecond:0}/s after a warm-up of {warm} writes");
        }

        var bare = await BarePublisher.RunAsync(settings, perKey);
        report.Check(bare.OnQueues == bare.Expected, Name, $"bare MassTransit confirmed {bare.Expected} messages but the queues hold {bare.OnQueues}");

        var ratio = pipeline.PerSecond / bare.PerSecond;
        report.Add(
            Name,
            new JsonObject
            {
                ["per_second"] = Report.Number(pipeline.PerSecond),
                ["bare_per_second"] = Report.Number(bare.PerSecond),
                ["ratio"] = Report.Number(ratio, 3),
                ["writes"] = total,
                ["accept_p50_ms"] = Report.Number(pipeline.P50Milliseconds),
                ["accept_p99_ms"] = Report.Number(pipeline.P99Milliseconds),
            },
            [
                new Row(Name, "per_second", pipeline.PerSecond, "writes/s"),
                new Row(Name, "bare_per_second", bare.PerSecond, "msgs/s"),
                new Row(Name, "ratio", ratio, "", Goal.AtLeast(0.7)),
                new Row(Name, "202 p50", pipeline.P50Milliseconds, "ms"),
                new Row(Name, "202 p99", pipeline.P99Milliseconds, "ms"),
            ]);
    }
}
