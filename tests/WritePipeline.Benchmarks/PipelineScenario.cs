using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using WritePipeline.Testing;

namespace WritePipeline.Benchmarks;

/// <summary>Writes through the real HTTP API (one API process, one worker process) on RabbitMQ and PostgreSQL.</summary>
public static class PipelineScenario
{
    public static async Task<Figures> RunAsync(BenchmarkSettings settings)
    {
        await using var virtualHost = await TestVirtualHost.CreateAsync();
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql);
        var port = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["WritePipeline__Partitions"] = settings.Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["WritePipeline__Transport__Kind"] = "RabbitMq",
            ["WritePipeline__Transport__RabbitMq__Host"] = TestVirtualHost.Host,
            ["WritePipeline__Transport__RabbitMq__VirtualHost"] = virtualHost.Name,
            ["WritePipeline__Database__Provider"] = "PostgreSql",
            ["ConnectionStrings__WritePipeline"] = database.ConnectionString,
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };

        await using var api = HostProcess.Start("WritePipeline.Api", new Dictionary<string, string>(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["WritePipeline__Worker__Enabled"] = "false",
            ["WritePipeline__Database__MigrateOnStartup"] = "true",
        });
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wp_dev_quickstart");
        await Eventually.UntilAsync(async () => await Ready(http), "the API is ready", TimeSpan.FromSeconds(60));

        await using var worker = HostProcess.Start("WritePipeline.Worker", new Dictionary<string, string>(environment)
        {
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });
        await Eventually.UntilAsync(
            async () => await virtualHost.ConsumerCountAsync("writes-p0") > 0,
            "the worker consumes",
            TimeSpan.FromSeconds(60));

        var clock = Stopwatch.StartNew();
        var perKey = Math.Max(1, settings.Writes / settings.Keys);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, settings.Keys),
            new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency },
            async (key, cancellationToken) =>
            {
                for (var seq = 1; seq <= perKey && clock.Elapsed < settings.TimeLimit; seq++)
                {
                    using var body = new StringContent($$"""{"seq":{{seq}},"payload":"benchmark"}""", Encoding.UTF8, "application/json");
                    using var response = await http.PutAsync($"/v1/collections/customers/records/bench-{key}", body, cancellationToken);
                    if (response.StatusCode != HttpStatusCode.Accepted)
                    {
                        throw new InvalidOperationException($"Submission answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                    }
                }
            });
        var accepted = clock.Elapsed;
        var total = perKey * settings.Keys;

        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await Eventually.UntilAsync(
            async () => await Scalar<long>(connection, """SELECT count(*) FROM writes WHERE "Status" <> 'queued'""") >= total,
            $"{total} writes are final",
            settings.TimeLimit);

        var latencies = new List<double>();
        await using (var command = new NpgsqlCommand("""SELECT EXTRACT(EPOCH FROM ("CompletedAt" - "SubmittedAt")) * 1000 FROM writes WHERE "Status" = 'applied'""", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                latencies.Add((double)reader.GetDecimal(0));
            }
        }

        latencies.Sort();
        var span = await Scalar<double>(connection, """SELECT EXTRACT(EPOCH FROM (max("CompletedAt") - min("SubmittedAt")))::float8 FROM writes""");
        return new Figures(total / accepted.TotalSeconds, total / span, Percentiles.Of(latencies, 50), Percentiles.Of(latencies, 99));
    }

    static async Task<bool> Ready(HttpClient http)
    {
        try
        {
            return (await http.GetAsync("/health/ready")).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
