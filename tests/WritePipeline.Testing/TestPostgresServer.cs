using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace WritePipeline.Testing;

/// <summary>
/// A PostgreSQL server of a test's own (initdb into a temporary folder, a free loopback port), which the test may stop
/// and start: the machine's shared server is never touched. Run as the <c>postgres</c> user when the tests run as
/// root (PostgreSQL refuses to run as root).
/// </summary>
public sealed class TestPostgresServer : IAsyncDisposable
{
    const string ServiceUser = "postgres";

    readonly string _bin;
    readonly string _folder;

    TestPostgresServer(string bin, string folder, int port)
    {
        _bin = bin;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The server's connection string (no database named), for <see cref="TestDatabase.CreatePostgresAsync(string)"/>.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Password=postgres;SSL Mode=Disable";

    /// <summary>Where PostgreSQL's server programs are (<c>initdb</c>, <c>pg_ctl</c>), newest version first; null when none is installed.</summary>
    public static string? Binaries { get; } = FindBinaries();

    public static async Task<TestPostgresServer> StartAsync()
    {
        // A test that needs its own server fails here, saying why, where PostgreSQL's server programs are missing.
        var bin = Binaries ?? throw new InvalidOperationException("PostgreSQL's server programs (initdb, pg_ctl) are not installed (looked in /usr/lib/postgresql/*/bin and PATH); infra/services.sh installs them.");
        var folder = Directory.CreateTempSubdirectory("wp-pg-").FullName;
        var server = new TestPostgresServer(bin, folder, FreePort());
        if (RunsAsRoot)
        {
            await RunAsync("chown", $"-R {ServiceUser}: {folder}");
        }

        await server.RunToolAsync("initdb", $"-D {server.Data} -U postgres --auth=trust --no-sync -E UTF8");
        await server.StartAgainAsync();
        return server;
    }

    string Data => Path.Combine(_folder, "data");

    /// <summary>Starts the (stopped) server and waits until it accepts connections.</summary>
    public Task StartAgainAsync() => RunToolAsync(
        "pg_ctl",
        $"-D {Data} -l {Path.Combine(_folder, "server.log")} -w -t 60 -o \"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off\" start");

    /// <summary>Stops the server at once (fast shutdown: open connections are cut, as in an outage).</summary>
    public Task StopAsync() => RunToolAsync("pg_ctl", $"-D {Data} -m fast -w -t 60 stop");

    /// <summary>The end of the server's log, for a failure message.</summary>
    public string RecentLog()
    {
        var log = Path.Combine(_folder, "server.log");
        return File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(30)) : "(no log)";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunToolAsync("pg_ctl", $"-D {Data} -m immediate -w -t 60 stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(_folder, recursive: true);
    }

    Task RunToolAsync(string tool, string arguments) => RunsAsRoot
        ? RunAsync("runuser", $"-u {ServiceUser} -- {Path.Combine(_bin, tool)} {arguments}")
        : RunAsync(Path.Combine(_bin, tool), arguments);

    static bool RunsAsRoot => Environment.UserName == "root";

    static async Task RunAsync(string program, string arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {arguments} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static string? FindBinaries()
    {
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var version) ? version : 0)
            : Enumerable.Empty<string>();
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")));
        var found = installed.Concat(onPath).FirstOrDefault();
        // As root the server runs as the postgres user, which must exist.
        return found is not null && (!RunsAsRoot || File.ReadLines("/etc/passwd").Any(line => line.StartsWith(ServiceUser + ":", StringComparison.Ordinal))) ? found : null;
    }
}
