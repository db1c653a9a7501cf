using System.Globalization;
using System.Text.Json;
using WritePipeline.Benchmarks;

// Pipeline benchmark: N writes over K keys through the real HTTP API (RabbitMQ + PostgreSQL), then the same number
// of messages through bare MassTransit on the same broker settings, and the ratios of the two. Loopback only.
var settings = BenchmarkSettings.Parse(args);
Console.WriteLine($"writes={settings.Writes} keys={settings.Keys} concurrency={settings.Concurrency} partitions={settings.Partitions}");

var pipeline = await PipelineScenario.RunAsync(settings);
Print("pipeline", pipeline);
var bare = await BareMassTransitScenario.RunAsync(settings);
Print("bare MassTransit", bare);

var ratios = new
{
    accepted = pipeline.AcceptedPerSecond / bare.AcceptedPerSecond,
    applied = pipeline.AppliedPerSecond / bare.AppliedPerSecond,
    p50 = pipeline.P50Milliseconds / bare.P50Milliseconds,
    p99 = pipeline.P99Milliseconds / bare.P99Milliseconds,
};
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"ratios (pipeline / bare): accepted {ratios.accepted:0.00}, applied {ratios.applied:0.00}, p50 latency {ratios.p50:0.00}, p99 latency {ratios.p99:0.00}"));
Console.WriteLine(JsonSerializer.Serialize(new { settings = new { settings.Writes, settings.Keys, settings.Concurrency, settings.Partitions }, pipeline, bare, ratios }));

static void Print(string name, Figures figures) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{name,-17} accepted/s {figures.AcceptedPerSecond,8:0} applied/s {figures.AppliedPerSecond,8:0} submit-to-applied p50 {figures.P50Milliseconds,7:0.0} ms p99 {figures.P99Milliseconds,7:0.0} ms"));
