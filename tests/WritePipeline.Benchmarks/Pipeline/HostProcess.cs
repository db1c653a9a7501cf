using System.Diagnostics;
using System.Globalization;
using WritePipeline.Testing;

namespace WritePipeline.Benchmarks.Pipeline;

/// <summary>
/// A real host (API or worker) started from its Release build output, as an operator would run it: settings as
/// environment variables, nothing shared with the benchmark process. Its output is kept (the last lines, for the
/// message when it dies) and its errors are passed on to stderr.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    const int TailLines = 60;

    readonly Process _process;
    readonly string _name;
    readonly Queue<string> _tail = new();

    HostProcess(Process process, string name)
    {
        _process = process;
        _name = name;
    }

    public int Id => _process.Id;

    /// <summary>Starts <paramref name="project"/> (a host under src/) with no command: it serves until disposed.</summary>
    public static HostProcess Start(string project, IReadOnlyDictionary<string, string> environment, string? name = null) =>
        Launch(project, [], environment, name ?? project, echoErrors: true);

    /// <summary>
    /// Runs one of the host's administrative commands (<c>migrate</c>, <c>clients create NAME</c>) to its end, within
    /// <paramref name="timeout"/>, and returns what it printed.
    /// </summary>
    public static async Task<string> RunCommandAsync(
        string project, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var name = $"{project} {string.Join(' ', arguments)}";
        await using var host = Launch(project, arguments, environment, name, echoErrors: false);
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await host._process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"'{name}' did not finish within {timeout.TotalSeconds:0} s.{host.Tail()}");
        }

        // The exit event can come before the last lines of output; WaitForExit() without a timeout drains them.
        host._process.WaitForExit();
        return host._process.ExitCode == 0
            ? host.Output()
            : throw new InvalidOperationException($"'{name}' exited with {host._process.ExitCode}.{host.Tail()}");
    }

    static HostProcess Launch(string project, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string name, bool echoErrors)
    {
        var assembly = BuildOutput.HostAssembly(project);
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {project}.");
        var host = new HostProcess(process, name);
        process.OutputDataReceived += (_, e) => host.Keep(e.Data, echoErrors);
        process.ErrorDataReceived += (_, e) => host.Keep(e.Data, echoErrors);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    void Keep(string? line, bool echoErrors)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }

        // The hosts log at Warning and above here; only errors are worth interrupting the benchmark's own output.
        if (echoErrors && (line.Contains(" ERR]", StringComparison.Ordinal) || line.Contains(" FTL]", StringComparison.Ordinal)))
        {
            Console.Error.WriteLine($"[{_name}] {line}");
        }
    }

    string Output()
    {
        lock (_tail)
        {
            return string.Join('\n', _tail);
        }
    }

    string Tail() => $" Its last output:\n{Output()}";

    /// <summary>Throws, with the host's last output, when it is no longer running: a wait on it would only time out.</summary>
    public void EnsureRunning()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"{_name} exited with {_process.ExitCode}.{Tail()}");
        }
    }

    /// <summary>
    /// The process's peak resident memory so far, in MB (VmHWM: the kernel's high-water mark of its resident set, so no
    /// sampling can miss a peak).
    /// </summary>
    public double PeakResidentMegabytes()
    {
        EnsureRunning();
        var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"/proc/{_process.Id}/status has no VmHWM.");
        var kilobytes = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kilobytes / 1024.0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(cancellation.Token);
        }

        _process.Dispose();
    }
}
