using System.Net;
using System.Text.Json.Nodes;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests;

/// <summary>
/// Each client has its own token bucket (<c>Clients:RateLimit</c>): one over its rate gets 429 with Retry-After and
/// RateLimit-* headers, while another client at the same moment is accepted.
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

    static string Header(HttpResponseMessage response, string name) => string.Join(",", response.Headers.GetValues(name));
}
