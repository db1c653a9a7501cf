using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Data;
using Xunit.Abstractions;

namespace WritePipeline.IntegrationTests.Clients;

/// <summary>A flood of keys nobody holds costs neither a query each nor memory that grows with it; real keys keep working.</summary>
public sealed class ApiKeyFloodTests(ITestOutputHelper output)
{
    static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task Ten_thousand_random_keys_cost_a_bounded_number_of_queries_and_no_cache_entries()
    {
        var queries = new ClientQueries();
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite)
        {
            Overrides = new Dictionary<string, string?> { ["WritePipeline:Clients:KeyRefreshInterval"] = RefreshInterval.ToString() },
            TestServices = services => services.ConfigureDbContext<WritePipelineDbContext>(options => options.AddInterceptors(queries)),
        });
        var (_, known) = await app.CreateClientAsync("known");
        Assert.Equal(HttpStatusCode.OK, (await known.GetAsync("/v1/webhooks")).StatusCode);
        var cache = (MemoryCache)app.Services.GetRequiredService<IMemoryCache>();
        var keys = app.Services.GetRequiredService<KnownApiKeys>();
        using var http = app.CreateClient();

        // Malformed keys are refused before any lookup.
        var before = queries.Count;
        foreach (var malformed in new[] { "nope", "wp_", "wp_" + new string('A', 44), "wp_has space", "wp_plus+slash/", "wpo_" + new string('A', 43) })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithKeyAsync(http, malformed));
        }

        Assert.Equal(before, queries.Count);

        // Well-formed keys nobody holds, many at once.
        before = queries.Count;
        var stopwatch = Stopwatch.StartNew();
        var answers = await FloodAsync(http, 10_000, parallel: 128);
        stopwatch.Stop();

        Assert.Equal(10_000, answers[HttpStatusCode.Unauthorized]);
        var flood = queries.Count - before;
        output.WriteLine($"10,000 unknown keys: {flood} queries of the clients table in {stopwatch.Elapsed.TotalSeconds:0.0} s; {ClientEntries(cache)} cached clients");
        Assert.True(flood <= stopwatch.Elapsed / RefreshInterval + 2, $"{flood} queries in {stopwatch.Elapsed.TotalSeconds:0.0} s");
        Assert.True(flood < 500, $"{flood} queries for 10,000 keys");
        Assert.Equal(1, ClientEntries(cache));
        Assert.Equal(await app.QueryAsync(db => db.Clients.CountAsync()), keys.Count);

        // A key made by another process (straight into the database) works at its first use, and so does the known one.
        var otherKey = ApiKeys.Generate();
        await app.QueryAsync(async db =>
        {
            db.Clients.Add(new Client { Id = Guid.CreateVersion7(), Name = "elsewhere", ApiKeyHash = ApiKeys.Hash(otherKey), Grants = CollectionGrants.Everything.ToString() });
            return await db.SaveChangesAsync();
        });
        Assert.Equal(HttpStatusCode.OK, await StatusWithKeyAsync(http, otherKey));
        Assert.Equal(HttpStatusCode.Accepted, (await known.PutAsync("customers", TestKeys.New("c"), new JsonObject { ["v"] = 1 })).StatusCode);
        Assert.Equal(2, ClientEntries(cache));
    }

    static async Task<HttpStatusCode> StatusWithKeyAsync(HttpClient http, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/webhooks");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    static async Task<Dictionary<HttpStatusCode, int>> FloodAsync(HttpClient http, int count, int parallel)
    {
        var answers = new System.Collections.Concurrent.ConcurrentDictionary<HttpStatusCode, int>();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (_, _) =>
            answers.AddOrUpdate(await StatusWithKeyAsync(http, ApiKeys.Generate()), 1, (_, n) => n + 1));
        return new(answers);
    }

    /// <summary>Clients the authentication cache holds, by their key.</summary>
    static int ClientEntries(MemoryCache cache) => cache.Keys.Count(k => k is string s && s.StartsWith("client-by-key:", StringComparison.Ordinal));

    /// <summary>Counts the commands that read the clients table.</summary>
    sealed class ClientQueries : DbCommandInterceptor
    {
        int _count;

        public int Count => Volatile.Read(ref _count);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("\"clients\"", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
            }

            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
