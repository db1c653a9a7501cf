using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Npgsql;
using WritePipeline.Partitioning;
using WritePipeline.Testing;

namespace WritePipeline.Benchmarks.Pipeline;

/// <summary>
/// What one scenario runs the pipeline on: a brand-new RabbitMQ vhost and PostgreSQL database (migrated with the API
/// host's own <c>migrate</c> command), a client created with <c>clients create</c>, and the API and worker processes it
/// starts. Hosts run in the Production environment, as deployed, not with the Development shortcuts.
/// </summary>
public sealed class PipelineStack : IAsyncDisposable
{
    public const string ApiProject = "WritePipeline.Api";
    public const string WorkerProject = "WritePipeline.Worker";

    readonly BenchmarkSettings _settings;
    readonly List<HostProcess> _hosts = [];

    PipelineStack(BenchmarkSettings settings, TestVirtualHost virtualHost, TestDatabase database, NpgsqlDataSource data)
    {
        _settings = settings;
        VirtualHost = virtualHost;
        Database = database;
        Data = data;
        Writes = new WriteTable(data);
    }

    public TestVirtualHost VirtualHost { get; }

    public TestDatabase Database { get; }

    /// <summary>The benchmark's own connections to the scenario's database, for counting and timing.</summary>
    public NpgsqlDataSource Data { get; }

    public WriteTable Writes { get; }

    public string ApiKey { get; private set; } = string.Empty;

    /// <summary>A brand-new vhost and database, migrated, with the benchmark's client created in it.</summary>
    /// <param name="postgresServer">
    /// The connection string of a PostgreSQL server of the scenario's own (a <see cref="TestPostgresServer"/>, which it
    /// may stop) to create the database on; null for the machine's shared server.
    /// </param>
    public static async Task<PipelineStack> CreateAsync(BenchmarkSettings settings, string? postgresServer = null)
    {
        if (postgresServer is null)
        {
            // Only the shared server has other users whose connections can leave the hosts none.
            await DatabaseRoom.WaitAsync(settings.TimeLimit);
        }

        var virtualHost = await TestVirtualHost.CreateAsync();
        var database = postgresServer is null
            ? await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql)
            : await TestDatabase.CreatePostgresAsync(postgresServer);
        var stack = new PipelineStack(settings, virtualHost, database, NpgsqlDataSource.Create(database.ConnectionString));
        try
        {
            await MigrateAsync(database.ConnectionString, settings);
            stack.ApiKey = await CreateClientAsync(stack.HostEnvironment(), settings);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>Brings a database to the pipeline's schema with the API host's <c>migrate</c> command.</summary>
    public static async Task MigrateAsync(string connectionString, BenchmarkSettings settings) =>
        await HostProcess.RunCommandAsync(ApiProject, ["migrate"], DatabaseEnvironment(connectionString), CommandTimeout(settings));

    static async Task<string> CreateClientAsync(IReadOnlyDictionary<string, string> environment, BenchmarkSettings settings)
    {
        var output = await HostProcess.RunCommandAsync(ApiProject, ["clients", "create", "benchmark", "--grant", "*:rw"], environment, CommandTimeout(settings));

        // "API key (shown once, store it now): wp_..."; the key is the last word of that line.
        var line = output.Split('\n').LastOrDefault(l => l.Contains("API key", StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"'clients create' printed no API key:\n{output}");
        return line.Trim().Split(' ')[^1];
    }

    static TimeSpan CommandTimeout(BenchmarkSettings settings) => TimeSpan.FromSeconds(Math.Min(120, settings.TimeLimit.TotalSeconds));

    static Dictionary<string, string> DatabaseEnvironment(string connectionString) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["WritePipeline__Database__Provider"] = "PostgreSql",
        ["ConnectionStrings__WritePipeline"] = connectionString,
        ["Serilog__MinimumLevel__Default"] = "Warning",
    };

    /// <summary>The settings both hosts run with, as environment variables (section WritePipeline, '__' for ':').</summary>
    Dictionary<string, string> HostEnvironment() => new(DatabaseEnvironment(Database.ConnectionString))
    {
        ["WritePipeline__Partitions"] = Invariant(_settings.Partitions),
        ["WritePipeline__Transport__Kind"] = "RabbitMq",
        ["WritePipeline__Transport__RabbitMq__Host"] = TestVirtualHost.Host,
        ["WritePipeline__Transport__RabbitMq__VirtualHost"] = VirtualHost.Name,
        ["WritePipeline__Database__MigrateOnStartup"] = "false",
        // Hosts that do not know the key yet ignore it (configuration binding skips unknown keys).
        ["WritePipeline__Worker__MaxBatchSize"] = Invariant(_settings.BatchSize),
    };

    /// <summary>
    /// Starts an API process that does not consume (<c>Worker:Enabled=false</c>) and waits until it is ready; its
    /// client authenticates as the created client and holds up to <see cref="BenchmarkSettings.Concurrency"/> connections.
    /// </summary>
    public async Task<ApiHost> StartApiAsync()
    {
        var port = FreePort();
        var process = Track(HostProcess.Start(ApiProject, new Dictionary<string, string>(HostEnvironment())
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["WritePipeline__Worker__Enabled"] = "false",
        }, "api"));
        var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(_settings.Concurrency, _settings.HotClients),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            // One request never takes this long unless something is stuck: a bound, not a figure.
            Timeout = TimeSpan.FromSeconds(60),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        var api = new ApiHost(process, http);
        await Poll.UntilAsync(
            async () =>
            {
                process.EnsureRunning();
                return await api.IsReadyAsync();
            },
            "the API answers /health/ready",
            TimeSpan.FromSeconds(Math.Min(120, _settings.TimeLimit.TotalSeconds)));
        return api;
    }

    /// <summary>Starts a worker process; it is consuming once writes become final (scenarios wait for that, not for a delay).</summary>
    public HostProcess StartWorker() =>
        Track(HostProcess.Start(WorkerProject, new Dictionary<string, string>(HostEnvironment())
        {
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        }, "worker"));

    HostProcess Track(HostProcess host)
    {
        _hosts.Add(host);
        return host;
    }

    /// <summary>Throws when a host of this stack has died: waiting for it would only run into the time limit.</summary>
    public void EnsureRunning()
    {
        foreach (var host in _hosts)
        {
            host.EnsureRunning();
        }
    }

    /// <summary>Stops a host before the stack ends (a phase that must not have it running).</summary>
    public async Task StopAsync(HostProcess host)
    {
        _hosts.Remove(host);
        await host.DisposeAsync();
    }

    /// <summary>
    /// Messages on the pipeline's partition queues now (<c>writes-p0</c> .. <c>writes-p{P-1}</c>): with no worker
    /// running, every write answered 202 is one of them, since the API records nothing before its 202.
    /// </summary>
    public Task<long> CountPartitionMessagesAsync() =>
        BenchmarkBroker.CountMessagesAsync(VirtualHost.Name, Enumerable.Range(0, _settings.Partitions).Select(PartitionMap.QueueName));

    /// <summary>
    /// Waits until <paramref name="expected"/> writes whose key starts with <paramref name="keyPrefix"/> are recorded
    /// in a status other than <c>queued</c> (a worker records a write it takes already applied, held, ...), polling a
    /// cheap count and saying how far it got every 10 s.
    /// </summary>
    public async Task WaitUntilFinalAsync(string keyPrefix, long expected, string scenario)
    {
        var lastReport = System.Diagnostics.Stopwatch.StartNew();
        await Poll.UntilAsync(
            async () =>
            {
                EnsureRunning();
                var final = await Writes.CountNotQueuedAsync(keyPrefix);
                if (lastReport.Elapsed > TimeSpan.FromSeconds(10))
                {
                    Console.Error.WriteLine($"  {scenario}: {final} of {expected} writes final");
                    lastReport.Restart();
                }

                return final >= expected;
            },
            $"{expected} writes to '{keyPrefix}*' are final",
            _settings.TimeLimit,
            TimeSpan.FromMilliseconds(250));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.DisposeAsync();
        }

        _hosts.Clear();
        await Data.DisposeAsync();
        await Database.DisposeAsync();
        await VirtualHost.DisposeAsync();
    }

    static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A running API process and an HTTP client for it.</summary>
public sealed class ApiHost(HostProcess process, HttpClient http) : IAsyncDisposable
{
    public HostProcess Process { get; } = process;

    public HttpClient Http { get; } = http;

    public async Task<bool> IsReadyAsync()
    {
        try
        {
            using var response = await Http.GetAsync("/health/ready");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        return ValueTask.CompletedTask;
    }
}
