using System.Text.Json.Nodes;
using WritePipeline.Benchmarks;
using WritePipeline.Benchmarks.AcceptDbDown;
using WritePipeline.Benchmarks.AcceptOnly;
using WritePipeline.Benchmarks.ApplyOnly;
using WritePipeline.Benchmarks.EndToEnd;
using WritePipeline.Benchmarks.HotKey;
using WritePipeline.Benchmarks.PreferWait;
using WritePipeline.Benchmarks.Reporting;

// The pipeline benchmark (docs/benchmarks.md): every scenario on a brand-new vhost and database, against the real
// API and worker processes; a human table, then one line of JSON as the last line. Loopback only.
if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(BenchmarkSettings.Usage);
    return 0;
}

BenchmarkSettings settings;
try
{
    settings = BenchmarkSettings.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchmarkSettings.Usage);
    return 2;
}

Dictionary<string, Func<BenchmarkSettings, Report, Task>> scenarios = new(StringComparer.Ordinal)
{
    [AcceptOnlyScenario.Name] = AcceptOnlyScenario.RunAsync,
    [AcceptDbDownScenario.Name] = AcceptDbDownScenario.RunAsync,
    [ApplyOnlyScenario.Name] = ApplyOnlyScenario.RunAsync,
    [EndToEndScenario.Name] = EndToEndScenario.RunAsync,
    [HotKeyScenario.Name] = HotKeyScenario.RunAsync,
    [PreferWaitScenario.Name] = PreferWaitScenario.RunAsync,
};

var machine = await Machine.DescribeAsync();
Console.WriteLine(Machine.Line(machine));
Console.WriteLine($"command: {Environment.CommandLine}");
Console.WriteLine(settings.Describe());

var report = new Report();
foreach (var name in settings.Scenarios)
{
    Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} {name}...");
    try
    {
        await scenarios[name](settings, report);
    }
    catch (Exception ex) when (ex is not OutOfMemoryException)
    {
        // One broken scenario does not take the others' figures with it; the run still fails.
        Console.Error.WriteLine($"{name} failed: {ex}");
        report.Failed(name, ex);
    }
}

report.PrintTable(Console.Out);
Console.WriteLine(report.Json(new JsonObject { ["settings"] = settings.ToJson(), ["machine"] = machine }));
return report.Failures.Count == 0 ? 0 : 1;
