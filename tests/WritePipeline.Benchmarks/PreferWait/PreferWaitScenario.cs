using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using WritePipeline.Benchmarks.Pipeline;
using WritePipeline.Benchmarks.Reporting;

namespace WritePipeline.Benchmarks.PreferWait;

/// <summary>
/// prefer_wait: one client writing one write at a time with <c>Prefer: wait=5</c>, so each answer is the outcome
/// (200/201 with the record) rather than a receipt: the latency of a write through the whole pipeline when nothing
/// else is queued, API and worker on RabbitMQ and PostgreSQL.
/// </summary>
public static class PreferWaitScenario
{
    public const string Name = "prefer_wait";
    const int WaitSeconds = 5;

    public static async Task RunAsync(BenchmarkSettings settings, Report report)
    {
        await using var stack = await PipelineStack.CreateAsync(settings);
        await using var api = await stack.StartApiAsync();
        stack.StartWorker();

        // The usual warm-up, then a few waited writes so that the waiting path has run too.
        var warm = await Warmup.PutAsync(api, settings);
        await stack.WaitUntilFinalAsync(Warmup.KeyPrefix + "%", warm, Name + " warm-up");
        await WriteAsync(api.Http, "warm-wait-", Math.Max(10, settings.PreferWrites / 10), settings);

        var (latencies, receipts) = await WriteAsync(api.Http, "bench-", settings.PreferWrites, settings);
        report.Check(receipts == 0, Name, $"{receipts} of {settings.PreferWrites} writes were not final within {WaitSeconds} s (answered 202)");

        var p50 = Percentiles.Of(latencies, 50);
        var p99 = Percentiles.Of(latencies, 99);
        report.Add(
            Name,
            new JsonObject
            {
                ["p50_ms"] = Report.Number(p50),
                ["p99_ms"] = Report.Number(p99),
                ["writes"] = settings.PreferWrites,
                ["answered_202"] = receipts,
            },
            [
                new Row(Name, "p50_ms", p50, "ms", Goal.AtMost(15)),
                new Row(Name, "p99_ms", p99, "ms"),
            ]);
    }

    /// <summary>
    /// Writes one after another, each with Prefer: wait, over the scenario's keys in turn; returns each write's time to
    /// its final answer and how many answers were receipts (202: the wait ran out).
    /// </summary>
    static Task<(double[] Latencies, int Receipts)> WriteAsync(HttpClient http, string keyPrefix, int writes, BenchmarkSettings settings) =>
        Poll.WithinAsync(
            async cancellationToken =>
            {
                var latencies = new double[writes];
                var receipts = 0;
                for (var i = 0; i < writes; i++)
                {
                    var key = keyPrefix + (i % settings.Keys);
                    using var request = new HttpRequestMessage(HttpMethod.Put, Submitters.RecordPath(key)) { Content = Submitters.Document(key, i + 1) };
                    request.Headers.Add("Prefer", $"wait={WaitSeconds}");
                    var started = Stopwatch.GetTimestamp();
                    using var response = await http.SendAsync(request, cancellationToken);
                    await response.Content.LoadIntoBufferAsync(cancellationToken);
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    switch (response.StatusCode)
                    {
                        case HttpStatusCode.OK or HttpStatusCode.Created:
                            break;
                        case HttpStatusCode.Accepted:
                            receipts++;
                            break;
                        default:
                            await Submitters.ExpectAsync(response, HttpStatusCode.OK, cancellationToken);
                            break;
                    }
                }

                return (latencies, receipts);
            },
            $"writing {writes} writes with Prefer: wait",
            settings.TimeLimit);
}
