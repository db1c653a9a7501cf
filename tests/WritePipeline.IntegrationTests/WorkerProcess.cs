using System.Collections.Concurrent;
using System.Diagnostics;

namespace WritePipeline.IntegrationTests;

/// <summary>A real worker host process (src/WritePipeline.Worker), configured through environment variables.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly ConcurrentQueue<string> _output = new();

    WorkerProcess(Process process) => _process = process;

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the worker printed, for a failing test's message.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _output.TakeLast(40));

    public static WorkerProcess Start(IReadOnlyDictionary<string, string?> settings)
    {
        var start = new ProcessStartInfo("dotnet", [WorkerAssembly()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(WorkerAssembly())!,
        };
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["WritePipeline__Worker__Enabled"] = "true";
        start.Environment["WritePipeline__Database__MigrateOnStartup"] = "false";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var process = new Process { StartInfo = start };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.Remember(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Remember(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>SIGKILL: no graceful stop, no acks sent, connections dropped by the kernel.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }

    /// <summary>The worker's build output next to this test assembly's (same configuration).</summary>
    static string WorkerAssembly()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory); // tests/X/bin/<Configuration>/<tfm>/
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "WritePipeline.sln")))
        {
            root = root.Parent;
        }

        var path = Path.Combine(root!.FullName, "src", "WritePipeline.Worker", "bin", configuration, framework, "WritePipeline.Worker.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the worker first.", path);
    }
}
