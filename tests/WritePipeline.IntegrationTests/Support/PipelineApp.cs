using System.Net;
using System.Net.Http.Headers;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WritePipeline.Data;
using WritePipeline.IntegrationTests.OperatorConsole;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Support;

/// <summary>
/// The real API host (WebApplicationFactory over Program), on a brand-new RabbitMQ vhost and a brand-new
/// database, configured through the same keys as production.
/// </summary>
public sealed class PipelineApp : WebApplicationFactory<Program>
{
    readonly Dictionary<string, string?> _settings;

    PipelineApp(PipelineSetup setup, TestDatabase database, TestVirtualHost? virtualHost)
    {
        Setup = setup;
        Database = database;
        VirtualHost = virtualHost;
        _settings = Settings(setup, database, virtualHost);
    }

    public PipelineSetup Setup { get; }

    /// <summary>Where a browser or a socket client reaches the app (<see cref="PipelineSetup.ServesBrowser"/>, <see cref="PipelineSetup.ServesHttp"/>); null for the in-memory test server.</summary>
    public Uri? BaseAddress { get; private set; }

    public TestDatabase Database { get; }

    public TestVirtualHost? VirtualHost { get; }

    /// <summary>The configuration a worker process needs to join this app's broker and database.</summary>
    public IReadOnlyDictionary<string, string?> SharedSettings => _settings;

    public static async Task<PipelineApp> StartAsync(PipelineSetup setup)
    {
        var database = setup.PostgresServer is { } server
            ? await TestDatabase.CreatePostgresAsync(server)
            : await TestDatabase.CreateAsync(setup.Database);
        var virtualHost = setup.Transport != TransportKind.RabbitMq ? null
            : setup.OnCluster ? await TestVirtualHost.CreateAsync(BrokerCluster.ManagementNodes)
            : await TestVirtualHost.CreateAsync();
        var app = new PipelineApp(setup, database, virtualHost);
        if (setup.ServesBrowser)
        {
            app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(TestCertificate.Create())));
            app.StartServer();
            var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            app.BaseAddress = new Uri(addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal)));
        }
        else if (setup.ServesHttp)
        {
            app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            app.StartServer();
            var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            app.BaseAddress = new Uri(addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal)));
        }

        _ = app.Services; // starts the host: migrations, bus, topology
        return app;
    }

    static Dictionary<string, string?> Settings(PipelineSetup setup, TestDatabase database, TestVirtualHost? virtualHost)
    {
        var settings = new Dictionary<string, string?>
        {
            ["WritePipeline:Transport:Kind"] = setup.Transport.ToString(),
            ["WritePipeline:Database:Provider"] = setup.Database.ToString(),
            ["WritePipeline:Database:MigrateOnStartup"] = "true",
            ["WritePipeline:Worker:Enabled"] = setup.HostsWorker.ToString(),
            ["WritePipeline:Worker:RetryMaximumDelay"] = "00:00:02",
            ["ConnectionStrings:WritePipeline"] = database.ConnectionString,
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        if (virtualHost is not null)
        {
            settings["WritePipeline:Transport:RabbitMq:Host"] = TestVirtualHost.Host;
            settings["WritePipeline:Transport:RabbitMq:VirtualHost"] = virtualHost.Name;
            if (setup.OnCluster)
            {
                settings["WritePipeline:Transport:RabbitMq:Hosts"] = BrokerCluster.Hosts;
            }
        }

        foreach (var (key, value) in setup.Overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Setup.Environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (Setup.TestServices is { } services)
        {
            builder.ConfigureTestServices(services);
        }
    }

    /// <summary>A new client of the API with every grant (<c>*:rw</c>) and an HTTP client that authenticates as it.</summary>
    public Task<(Guid ClientId, HttpClient Http)> CreateClientAsync(string name = "tests") => CreateClientAsync(name, CollectionGrants.Everything);

    /// <summary>A new client holding <paramref name="grants"/> and an HTTP client that authenticates as it.</summary>
    public async Task<(Guid ClientId, HttpClient Http)> CreateClientAsync(string name, CollectionGrants grants)
    {
        await using var scope = Services.CreateAsyncScope();
        var (client, apiKey) = await scope.ServiceProvider.GetRequiredService<ClientRegistry>().CreateAsync(name, grants, null, CancellationToken.None);
        var http = CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return (client.Id, http);
    }

    /// <summary>A new operator with <paramref name="role"/> and an HTTP client that authenticates with its admin API token.</summary>
    public async Task<HttpClient> CreateOperatorAsync(string role)
    {
        await using var scope = Services.CreateAsyncScope();
        var operators = scope.ServiceProvider.GetRequiredService<Operators.OperatorRegistry>();
        var account = await operators.CreateAsync($"{role}-{Guid.NewGuid():N}"[..20], role, "a-long-test-password", CancellationToken.None);
        var http = CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await operators.IssueTokenAsync(account.Id, CancellationToken.None));
        return http;
    }

    /// <summary>A new operator account with <paramref name="role"/>; its name, and its password for signing in.</summary>
    public async Task<(string Name, string Password)> CreateOperatorAccountAsync(string role)
    {
        await using var scope = Services.CreateAsyncScope();
        var name = $"{role}-{Guid.NewGuid():N}"[..20];
        const string password = "a-long-test-password";
        await scope.ServiceProvider.GetRequiredService<Operators.OperatorRegistry>().CreateAsync(name, role, password, CancellationToken.None);
        return (name, password);
    }

    /// <summary>An HTTP client of the app: over the in-memory test server, or over HTTPS to the real server when it serves a browser.</summary>
    public HttpClient CreateHttpClient() => BaseAddress is null
        ? CreateClient()
        : new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator, AllowAutoRedirect = false })
        {
            BaseAddress = BaseAddress,
        };

    public async Task<T> QueryAsync<T>(Func<WritePipelineDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>());
    }

    public Task<List<RecordVersion>> HistoryAsync(string collection, string keyPrefix) => QueryAsync(db => db.RecordVersions.AsNoTracking()
        .Where(v => v.Collection == collection && v.Key.StartsWith(keyPrefix))
        .OrderBy(v => v.Key).ThenBy(v => v.Version)
        .ToListAsync());

    /// <summary>Waits until every write of a client has left <c>queued</c> and there are <paramref name="expected"/> of them.</summary>
    public Task UntilDrainedAsync(Guid clientId, int expected, TimeSpan? timeout = null) => Eventually.UntilAsync(
        async () => await QueryAsync(async db =>
            await db.Writes.CountAsync(w => w.ClientId == clientId && w.Status != WriteStatus.Queued) >= expected
            && !await db.Writes.AnyAsync(w => w.ClientId == clientId && w.Status == WriteStatus.Queued)),
        $"{expected} writes of the client are final",
        timeout);

    public IBus Bus => Services.GetRequiredService<IBus>();

    /// <summary>
    /// Waits until each queue has <paramref name="expected"/> consumers, standbys of single active consumer included
    /// (failing at once if the worker died). The management API's counts can lag by seconds after a broker restart.
    /// </summary>
    public Task UntilConsumersAsync(IEnumerable<string> queues, int expected, WorkerProcess worker) => Eventually.UntilAsync(
        async () =>
        {
            Assert.False(worker.HasExited, worker.RecentOutput);
            foreach (var queue in queues)
            {
                if (await VirtualHost!.ConsumerCountAsync(queue) < expected)
                {
                    return false;
                }
            }

            return true;
        },
        $"every queue has {expected} consumer(s)");

    /// <summary>
    /// Waits until each queue has an active consumer, asking the broker itself as /health/ready does (a passive
    /// declare, which counts the active consumer only, and without the management API's lag).
    /// </summary>
    public Task UntilConsumedAsync(IEnumerable<string> queues, WorkerProcess worker) => Eventually.UntilAsync(
        async () =>
        {
            Assert.False(worker.HasExited, worker.RecentOutput);
            var (depths, _) = await Services.GetRequiredService<WritePipeline.Partitioning.BrokerQueues>().ReadAsync(CancellationToken.None);
            return depths is not null && queues.All(queue => depths.Any(d => d.Queue == queue && d.Consumers > 0));
        },
        "every queue has an active consumer");

    /// <summary>
    /// The partitions each worker process holds the lease of now (by process id; leases that ran out count for nobody),
    /// with whether the broker reports an active consumer on each partition queue.
    /// </summary>
    public async Task<(IReadOnlyDictionary<int, List<int>> Shares, bool AllConsumed)> OwnershipAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var (leases, workers) = await QueryAsync(async db => (
            await db.PartitionLeases.AsNoTracking().ToListAsync(),
            await db.Workers.AsNoTracking().ToDictionaryAsync(w => w.Id, w => w.ProcessId)));
        var shares = leases
            .Where(l => l.Owner is not null && l.ExpiresAt > now && workers.ContainsKey(l.Owner))
            .GroupBy(l => workers[l.Owner!])
            .ToDictionary(g => g.Key, g => g.Select(l => l.Partition).Order().ToList());
        var (depths, _) = await Services.GetRequiredService<WritePipeline.Partitioning.BrokerQueues>().ReadAsync(CancellationToken.None);
        var consumed = depths is not null && depths.Where(d => d.Partition is not null).All(d => d.Consumers == 1);
        return (shares, consumed);
    }

    /// <summary>
    /// Waits until exactly <paramref name="workers"/> share every partition, each within one of partitions/workers,
    /// and every partition queue has its one active consumer (failing at once if a worker died).
    /// </summary>
    public async Task<IReadOnlyDictionary<int, List<int>>> UntilSharedAsync(params WorkerProcess[] workers)
    {
        IReadOnlyDictionary<int, List<int>> shares = new Dictionary<int, List<int>>();
        var partitions = Services.GetRequiredService<IOptions<WritePipelineOptions>>().Value.Partitions;
        await Eventually.UntilAsync(
            async () =>
            {
                foreach (var worker in workers)
                {
                    Assert.False(worker.HasExited, worker.RecentOutput);
                }

                (shares, var consumed) = await OwnershipAsync();
                return consumed
                    && shares.Keys.Order().SequenceEqual(workers.Select(w => w.Pid).Order())
                    && shares.Values.Sum(s => s.Count) == partitions
                    && shares.Values.All(s => s.Count >= partitions / workers.Length && s.Count <= (partitions + workers.Length - 1) / workers.Length);
            },
            $"{workers.Length} worker(s) share the {partitions} partitions evenly and consume them",
            TimeSpan.FromSeconds(60));
        return shares;
    }

    /// <summary>Waits until /health/ready answers 200: database reachable, topology declared, bus connected.</summary>
    public Task UntilReadyAsync()
    {
        var http = CreateHttpClient();
        return Eventually.UntilAsync(async () => (await http.GetAsync("/health/ready")).IsSuccessStatusCode, "the app is ready");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Database.DisposeAsync();
        if (VirtualHost is not null)
        {
            await VirtualHost.DisposeAsync();
        }
    }
}
