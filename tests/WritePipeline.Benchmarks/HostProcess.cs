using System.Diagnostics;
using WritePipeline.Testing;

namespace WritePipeline.Benchmarks;

/// <summary>A real host (API or worker) started from its Release build output.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    readonly Process _process;

    HostProcess(Process process) => _process = process;

    public static HostProcess Start(string project, IReadOnlyDictionary<string, string> environment)
    {
        var assembly = BuildOutput.HostAssembly(project);
        var start = new ProcessStartInfo("dotnet", [assembly])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"[{project}] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new HostProcess(process);
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
}
