using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Clients;

/// <summary>
/// Each client has its own token bucket (<c>Clients:RateLimit</c>, or the client's own rate): one over its rate gets
/// 429 with Retry-After and RateLimit-* headers, while another client at the same moment is accepted.
/// </summary>
public sealed class ClientRateLimitTests
{
    const int Burst = 5;

    [Fact]
    public async Task A_client_over_its_rate_gets_429_while_another_client_is_accepted()
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite)
        {
            Overrides = new Dictionary<string, string?>
            {
                ["WritePipeline:Clients:RateLimit:PerSecond"] = "1",
                ["WritePipeline:Clients:RateLimit:Burst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        });
        var (_, noisy) = await app.CreateClientAsync("noisy");
        var (_, quiet) = await app.CreateClientAsync("quiet");
        const string Refusals = "writepipeline_requests_refused_total";
        const string TooMany = "http_response_status_code=\"429\",problem=\"too-many-requests\"";
        var refusedBefore = PrometheusText.Value(await PrometheusText.ScrapeAsync(app.CreateHttpClient()), Refusals, TooMany);

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < Burst + 3; i++)
        {
            answers.Add(await noisy.PutAsync("customers", TestKeys.New("noisy"), new JsonObject { ["n"] = i }));
        }

        // The burst is accepted, counting down; then refused, saying when to come back.
        Assert.All(answers.Take(Burst), a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        Assert.Equal(Enumerable.Range(0, Burst).Reverse().Select(r => r.ToString(System.Globalization.CultureInfo.InvariantCulture)), answers.Take(Burst).Select(a => Header(a, "RateLimit-Remaining")));
        var refused = answers[Burst];
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After in seconds");
        Assert.Equal(Burst.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(refused, "RateLimit-Limit"));
        Assert.Equal("0", Header(refused, "RateLimit-Remaining"));
        Assert.EndsWith("/too-many-requests", (await refused.JsonAsync())["type"]!.GetValue<string>(), StringComparison.Ordinal);

        // Every 429 is counted, by status and problem type (a scrape may be served from the exporter's short cache).
        var tooMany = answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        await Eventually.UntilAsync(
            async () => PrometheusText.Value(await PrometheusText.ScrapeAsync(app.CreateHttpClient()), Refusals, TooMany) - refusedBefore == tooMany,
            "the 429s are counted");

        // The other client, at the same moment, has its own bucket.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await quiet.PutAsync("customers", TestKeys.New("quiet"), new JsonObject { ["n"] = i })).StatusCode);
        }

        // The noisy client is accepted again once a token has come back (one a second).
        await Eventually.UntilAsync(
            async () => (await noisy.PutAsync("customers", TestKeys.New("noisy"), new JsonObject { ["n"] = 0 })).StatusCode == HttpStatusCode.Accepted,
            "the noisy client is accepted again",
            TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_admin_gives_a_client_its_own_rate_which_applies_at_its_next_request_and_takes_it_back()
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite));
        var (limitedId, limited) = await app.CreateClientAsync("limited");
        var (_, other) = await app.CreateClientAsync("other");
        var admin = await app.CreateOperatorAsync("admin");
        var viewer = await app.CreateOperatorAsync("viewer");

        // Cached by the first request at the configured rate; the change must not wait for that cache.
        Assert.Equal("10000", Header(await limited.PutAsync("customers", TestKeys.New("own"), new JsonObject()), "RateLimit-Limit"));
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsJsonAsync($"/v1/admin/clients/{limitedId}/rate-limit", new { perSecond = 1 })).StatusCode);
        await Api.AssertProblemAsync(await admin.PutAsJsonAsync($"/v1/admin/clients/{limitedId}/rate-limit", new { perSecond = -1 }), HttpStatusCode.BadRequest, "invalid-client-rate");
        await Api.AssertProblemAsync(await admin.PutAsJsonAsync($"/v1/admin/clients/{Guid.NewGuid()}/rate-limit", new { perSecond = 1 }), HttpStatusCode.NotFound, "client-not-found");

        var set = await admin.PutAsJsonAsync($"/v1/admin/clients/{limitedId}/rate-limit", new { perSecond = 1, burst = 3 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("""{"perSecond":1,"burst":3,"own":true}""", (await set.JsonAsync())["rateLimit"]!.ToJsonString());

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await limited.PutAsync("customers", TestKeys.New("own"), new JsonObject { ["n"] = i }));
        }

        Assert.All(answers.Take(3), a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[3].StatusCode);
        Assert.Equal("3", Header(answers[3], "RateLimit-Limit"));
        var untouched = await other.PutAsync("customers", TestKeys.New("other"), new JsonObject());
        Assert.Equal(HttpStatusCode.Accepted, untouched.StatusCode);
        Assert.Equal("10000", Header(untouched, "RateLimit-Limit"));
        var listed = await (await viewer.GetAsync("/v1/admin/clients")).JsonArrayAsync();
        Assert.Contains(listed, c => c!["id"]!.GetValue<Guid>() == limitedId && c["rateLimit"]!["own"]!.GetValue<bool>());

        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/v1/admin/clients/{limitedId}/rate-limit")).StatusCode);
        var back = await limited.PutAsync("customers", TestKeys.New("own"), new JsonObject());
        Assert.Equal(HttpStatusCode.Accepted, back.StatusCode);
        Assert.Equal("10000", Header(back, "RateLimit-Limit"));

        var audit = await (await admin.GetAsync("/v1/admin/audit?action=client.")).JsonAsync();
        var changes = audit["items"]!.AsArray().Where(e => e!["action"]!.GetValue<string>() == "client.rate-limit").ToList();
        Assert.Equal(2, changes.Count);
        Assert.Contains(changes, e => e!["after"]!.GetValue<string>().Contains("\"perSecond\":1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_clients_create_command_takes_a_rate()
    {
        var folder = Directory.CreateTempSubdirectory("wp-clients-");
        try
        {
            var connection = $"Data Source={Path.Combine(folder.FullName, "pipeline.db")}";
            Assert.Contains("up to date", await RunApiCommandAsync(connection, "migrate"), StringComparison.Ordinal);
            var output = await RunApiCommandAsync(connection, "clients", "create", "steady", "--rate", "7");
            Assert.Contains("Rate limit: 7 requests a second, bursts of 14", output, StringComparison.Ordinal);

            await using var db = new SqliteConnection(connection);
            await db.OpenAsync();
            await using var query = db.CreateCommand();
            query.CommandText = "SELECT RatePerSecond, RateBurst FROM clients WHERE Name = 'steady'";
            await using var row = await query.ExecuteReaderAsync();
            Assert.True(await row.ReadAsync());
            Assert.Equal((7, 14), (row.GetInt32(0), row.GetInt32(1)));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    static async Task<string> RunApiCommandAsync(string connectionString, params string[] command)
    {
        var assembly = BuildOutput.HostAssembly("WritePipeline.Api");
        var start = new ProcessStartInfo("dotnet", [assembly, .. command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.Environment["ConnectionStrings__WritePipeline"] = connectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode.ToString(CultureInfo.InvariantCulture)}: {await output}{await errors}");
        return await output;
    }

    static string Header(HttpResponseMessage response, string name) => string.Join(",", response.Headers.GetValues(name));
}
