using System.Diagnostics;

namespace WritePipeline.Testing;

/// <summary>
/// The three-node RabbitMQ cluster of infra/rabbitmq-cluster.sh (nodes wpc1..wpc3 beside the default node), started,
/// stopped and faulted through that script, so tests and operators run the same cluster.
/// </summary>
public static class BrokerCluster
{
    public const int Nodes = 3;

    /// <summary>Transport:RabbitMq:Hosts for the cluster: every node's AMQP endpoint.</summary>
    public static string Hosts => string.Join(",", Enumerable.Range(1, Nodes).Select(n => $"127.0.0.1:{5680 + n}"));

    /// <summary>Each node's management API, node 1 first.</summary>
    public static IEnumerable<Uri> ManagementNodes => Enumerable.Range(1, Nodes).Select(n => new Uri($"http://127.0.0.1:{15680 + n}/"));

    /// <summary>Node <paramref name="n"/>'s Erlang node name, as the management API names leaders and members.</summary>
    public static string NodeName(int n) => $"wpc{n}@{ShortHostName()}";

    /// <summary>Starts the cluster (or the nodes of it that are down) and waits until all three run clustered; throws when it cannot.</summary>
    public static Task StartAsync() => ScriptAsync(TimeSpan.FromMinutes(4), "start");

    /// <summary>Stops every node of the cluster; nothing of it is left running.</summary>
    public static Task StopAsync() => ScriptAsync(TimeSpan.FromMinutes(2), "stop");

    /// <summary>
    /// SIGKILL to node <paramref name="n"/>'s Erlang VM (beam.smp): a crash, with no goodbye to clients or peers. Returns
    /// when it was sent (<see cref="Stopwatch.GetTimestamp"/>), once the VM is gone.
    /// </summary>
    public static async Task<long> KillNodeAsync(int n)
    {
        var pid = int.Parse((await ScriptAsync(TimeSpan.FromMinutes(1), "pid", n.ToString(System.Globalization.CultureInfo.InvariantCulture))).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var beam = Process.GetProcessById(pid);
        var killedAt = Stopwatch.GetTimestamp();
        beam.Kill(); // SIGKILL on Linux
        await beam.WaitForExitAsync();
        return killedAt;
    }

    /// <summary>rabbitmqctl against node <paramref name="n"/>, e.g. <c>list_queues -p VHOST name members</c>; its output.</summary>
    public static Task<string> CtlAsync(int n, params string[] arguments) =>
        ScriptAsync(TimeSpan.FromMinutes(1), ["ctl", n.ToString(System.Globalization.CultureInfo.InvariantCulture), "-q", .. arguments]);

    static string ShortHostName() => Environment.MachineName.Split('.')[0];

    static Task<string> ScriptAsync(TimeSpan timeout, params string[] arguments) => ScriptAsync(timeout, (IEnumerable<string>)arguments);

    static async Task<string> ScriptAsync(TimeSpan timeout, IEnumerable<string> arguments)
    {
        var script = Path.Combine(BuildOutput.RepositoryRoot, "infra", "rabbitmq-cluster.sh");
        var start = new ProcessStartInfo("bash", [script, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(timeout);
        var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var error = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"infra/rabbitmq-cluster.sh {string.Join(' ', arguments)} did not finish within {timeout}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"infra/rabbitmq-cluster.sh {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }

        return await output;
    }
}
