using System.Text.Json.Nodes;
using WritePipeline.Benchmarks.Pipeline;
using WritePipeline.Benchmarks.Reporting;

namespace WritePipeline.Benchmarks.EndToEnd;

/// <summary>
/// end_to_end: the pipeline as deployed, an API process and one worker process, with C concurrent submitters: writes
/// per second from the first submission to the last completion, submit-to-applied latency, and (as "memory") the peak
/// resident memory of both processes.
/// </summary>
public static class EndToEndScenario
{
    public const string Name = "end_to_end";
    public const string MemoryName = "memory";
    const string Keys = "bench-%";

    public static async Task RunAsync(BenchmarkSettings settings, Report report)
    {
        var perKey = settings.PerKey(settings.Writes);
        var total = perKey * settings.Keys;
        await using var stack = await PipelineStack.CreateAsync(settings);
        await using var api = await stack.StartApiAsync();
        var worker = stack.StartWorker();

        // The warm-up also shows the worker consumes: its writes must become final before the measured run starts.
        var warm = await Warmup.PutAsync(api, settings);
        await stack.WaitUntilFinalAsync(Warmup.KeyPrefix + "%", warm, Name + " warm-up");

        var submitted = await Submitters.PutAsync(api.Http, "bench-", settings.Keys, perKey, settings.Concurrency, settings.TimeLimit);
        Console.Error.WriteLine($"  {Name}: {total} writes accepted in {submitted.Elapsed.TotalSeconds:0.0} s; waiting until they are final");
        await stack.WaitUntilFinalAsync(Keys, total, Name);
        var summary = await stack.Writes.SummarizeAsync(Keys);
        var apiPeak = api.Process.PeakResidentMegabytes();
        var workerPeak = worker.PeakResidentMegabytes();
        report.Check(summary.Applied == total, Name, $"{total} writes, {summary.Applied} applied ({await stack.Writes.StatusesAsync(Keys)})");

        var perSecond = total / summary.Span.TotalSeconds;
        report.Add(
            Name,
            new JsonObject
            {
                ["per_second"] = Report.Number(perSecond),
                ["p50_ms"] = Report.Number(summary.P50Milliseconds),
                ["p99_ms"] = Report.Number(summary.P99Milliseconds),
                ["writes"] = total,
                ["applied"] = summary.Applied,
                ["accepted_per_second"] = Report.Number(submitted.PerSecond),
            },
            [
                new Row(Name, "per_second", perSecond, "writes/s", Goal.AtLeast(1500)),
                new Row(Name, "p50_ms", summary.P50Milliseconds, "ms"),
                new Row(Name, "p99_ms", summary.P99Milliseconds, "ms", Goal.Below(1000)),
                new Row(Name, "accepted per second", submitted.PerSecond, "writes/s"),
            ]);
        report.Add(
            MemoryName,
            new JsonObject
            {
                ["api_peak_mb"] = Report.Number(apiPeak),
                ["worker_peak_mb"] = Report.Number(workerPeak),
            },
            [
                new Row(MemoryName, "api_peak_mb", apiPeak, "MB", Goal.AtMost(250)),
                new Row(MemoryName, "worker_peak_mb", workerPeak, "MB", Goal.AtMost(250)),
            ]);
    }
}
