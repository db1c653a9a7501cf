using System.Diagnostics;

namespace WritePipeline.Testing;

/// <summary>The local RabbitMQ node's application, stopped and started as an operator (or a crash and restart) would.</summary>
public static class BrokerNode
{
    /// <summary><c>rabbitmqctl stop_app</c>: every connection is dropped and the node refuses new ones until started.</summary>
    public static Task StopAppAsync() => RabbitMqCtlAsync("stop_app");

    /// <summary><c>rabbitmqctl start_app</c>, then waits until the node answers and its queues are back.</summary>
    public static async Task StartAppAsync()
    {
        await RabbitMqCtlAsync("start_app");
        await RabbitMqCtlAsync("await_startup");
    }

    static async Task RabbitMqCtlAsync(string command)
    {
        var start = new ProcessStartInfo("rabbitmqctl", ["-q", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var error = process.StandardError.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {command} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
