using System.Data.Common;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WritePipeline.Data;
using WritePipeline.Testing;
using Xunit.Abstractions;

namespace WritePipeline.IntegrationTests.Clients;

/// <summary>
/// A flood of keys nobody holds costs neither a query each nor memory that grows with it; real keys keep working.
/// The key set's clock is a fake that moves only when the test moves it, so the bound is the product's own promise
/// (at most one read of the key set per refresh interval, shared by every key waiting for it), not a wall-clock ratio.
/// </summary>
public sealed class ApiKeyFloodTests(ITestOutputHelper output)
{
    static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(50);
    const int Waves = 10;
    const int KeysPerWave = 1_000;

    [Fact]
    public async Task Ten_thousand_random_keys_cost_a_bounded_number_of_queries_and_no_cache_entries()
    {
        var queries = new ClientQueries();
        var clock = new WatchedClock();
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite)
        {
            Overrides = new Dictionary<string, string?> { ["WritePipeline:Clients:KeyRefreshInterval"] = RefreshInterval.ToString() },
            TestServices = services =>
            {
                services.ConfigureDbContext<WritePipelineDbContext>(options => options.AddInterceptors(queries));
                services.AddSingleton(provider => ActivatorUtilities.CreateInstance<KnownApiKeys>(provider, (TimeProvider)clock));
            },
        });
        var (_, known) = await app.CreateClientAsync("known");
        Assert.Equal(HttpStatusCode.OK, (await known.GetAsync("/v1/webhooks")).StatusCode);
        var cache = app.Services.GetRequiredService<ClientsByKey>();
        var keys = app.Services.GetRequiredService<KnownApiKeys>();
        using var http = app.CreateClient();

        // Malformed keys are refused before any lookup.
        var before = queries.Count;
        foreach (var malformed in new[] { "nope", "wp_", "wp_" + new string('A', 44), "wp_has space", "wp_plus+slash/", "wpo_" + new string('A', 43) })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithKeyAsync(http, malformed));
        }

        Assert.Equal(before, queries.Count);
        Assert.Equal(0, keys.Misses);

        // The first unknown key finds no read to share or to wait for: it reads at once.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithKeyAsync(http, ApiKeys.Generate()));
        Assert.Equal((1, 1), (keys.Reads, queries.Count - before));

        // Well-formed keys nobody holds, a thousand at once, ten times: while the clock stands still every one of them
        // waits and none costs a read; one refresh interval later a single read answers them all.
        for (var wave = 0; wave < Waves; wave++)
        {
            var (reads, misses, timers, clientQueries) = (keys.Reads, keys.Misses, clock.Timers, queries.Count);
            var answers = Task.WhenAll(Enumerable.Range(0, KeysPerWave).Select(_ => StatusWithKeyAsync(http, ApiKeys.Generate())));
            await Eventually.UntilAsync(
                () => Task.FromResult(answers.IsCompleted || (keys.Misses - misses == KeysPerWave && clock.Timers > timers)),
                $"the {KeysPerWave} keys of wave {wave} wait for the next read");
            Assert.False(answers.IsCompleted, $"wave {wave} was answered while the clock stood still");
            Assert.Equal((reads, timers + 1, clientQueries), (keys.Reads, clock.Timers, queries.Count));

            clock.Advance(RefreshInterval);
            Assert.All(await answers, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
            Assert.Equal((reads + 1, clientQueries + 1), (keys.Reads, queries.Count));
        }

        var flood = queries.Count - before;
        output.WriteLine($"{Waves * KeysPerWave + 1:N0} unknown keys: {flood} queries of the clients table over {Waves} refresh intervals; {cache.Count} cached clients");
        Assert.Equal(Waves + 1, flood);
        Assert.Equal(1, cache.Count);
        Assert.Equal(await app.QueryAsync(db => db.Clients.CountAsync()), keys.Count);

        // A key made by another process (straight into the database) works at its first use, one refresh interval later,
        // and the known one works without waiting.
        var otherKey = ApiKeys.Generate();
        await app.QueryAsync(async db =>
        {
            db.Clients.Add(new Client { Id = Guid.CreateVersion7(), Name = "elsewhere", ApiKeyHash = ApiKeys.Hash(otherKey), Grants = CollectionGrants.Everything.ToString() });
            return await db.SaveChangesAsync();
        });
        var (readsBefore, missesBefore, timersBefore) = (keys.Reads, keys.Misses, clock.Timers);
        var first = StatusWithKeyAsync(http, otherKey);
        await Eventually.UntilAsync(
            () => Task.FromResult(first.IsCompleted || (keys.Misses > missesBefore && clock.Timers > timersBefore)),
            "the new key waits for the next read");
        Assert.Equal(readsBefore, keys.Reads);
        clock.Advance(RefreshInterval);
        Assert.Equal(HttpStatusCode.OK, await first);
        Assert.Equal(readsBefore + 1, keys.Reads);
        Assert.Equal(HttpStatusCode.Accepted, (await known.PutAsync("customers", TestKeys.New("c"), new JsonObject { ["v"] = 1 })).StatusCode);
        Assert.Equal(2, cache.Count);
    }

    static async Task<HttpStatusCode> StatusWithKeyAsync(HttpClient http, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/webhooks");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>A clock that moves only when told, and counts the timers set on it (a read that waits for its interval sets one).</summary>
    sealed class WatchedClock : FakeTimeProvider
    {
        int _timers;

        public int Timers => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

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
