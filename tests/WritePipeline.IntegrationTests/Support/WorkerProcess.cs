using System.Collections.Concurrent;
using System.Diagnostics;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Support;

/// <summary>
/// A real host process configured through environment variables: a worker (src/WritePipeline.Worker, <see cref="Start(IReadOnlyDictionary{string, string?})"/>),
/// or an API host that serves no worker part (<see cref="StartApiHost"/>), for tests that need two API processes.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly ConcurrentQueue<string> _output = new();
    readonly ConcurrentQueue<string> _all = new();

    WorkerProcess(Process process) => _process = process;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The process id, which the worker registers with (see <c>workers</c> and <c>GET /v1/admin/partitions</c>).</summary>
    public int Pid => _process.Id;

    /// <summary>Where the process serves (a worker: /health and /metrics): the free port it bound, as it logged it.</summary>
    public async Task<Uri> BaseAddressAsync()
    {
        const string Marker = "Now listening on: ";
        Uri? address = null;
        await Eventually.UntilAsync(
            () =>
            {
                Assert.False(HasExited, RecentOutput);
                var line = _all.FirstOrDefault(l => l.Contains(Marker, StringComparison.Ordinal));
                address = line is null ? null : new Uri(line[(line.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..].Split(' ')[0]);
                return Task.FromResult(address is not null);
            },
            "the worker says where it listens");
        return address!;
    }

    /// <summary>Whether the worker printed a line containing <paramref name="text"/> at any time.</summary>
    public bool Printed(string text) => _all.Any(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>The last lines the worker printed, for a failing test's message.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _output.TakeLast(40));

    public static WorkerProcess Start(IReadOnlyDictionary<string, string?> settings) => Start("WritePipeline.Worker", settings, runsWorker: true);

    /// <summary>An API process on the same database and broker as <paramref name="settings"/> say; it hosts no worker part.</summary>
    public static WorkerProcess StartApiHost(IReadOnlyDictionary<string, string?> settings) => Start("WritePipeline.Api", settings, runsWorker: false);

    static WorkerProcess Start(string host, IReadOnlyDictionary<string, string?> settings, bool runsWorker)
    {
        var assembly = BuildOutput.HostAssembly(host);
        var start = new ProcessStartInfo("dotnet", [assembly])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["WritePipeline__Worker__Enabled"] = runsWorker ? "true" : "false";
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

    /// <summary>SIGSTOP: the process freezes with its connections open, as a long GC pause or a stalled VM would.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>SIGCONT: the frozen process goes on where it stopped, believing nothing happened.</summary>
    public void Resume() => Signal("CONT");

    /// <summary>SIGTERM: the graceful stop an orchestrator asks for.</summary>
    public async Task StopAsync()
    {
        Signal("TERM");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(deadline.Token);
    }

    void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} exited with {kill.ExitCode}");
        }
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
        _all.Enqueue(line);
        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }
}
