using System.Net;

namespace WritePipeline.IntegrationTests.OperatorConsole;

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto are believed only from Api:TrustedProxies. Seen through the console's sign-in
/// limit (per client address) and its HTTPS-only guard (per scheme), over real sockets from 127.0.0.1.
/// </summary>
public sealed class TrustedProxyTests
{
    const int AttemptsPerMinute = 3;

    [Fact]
    public async Task From_an_address_that_is_not_a_trusted_proxy_forwarded_addresses_do_not_escape_the_sign_in_limit()
    {
        // Even with ASP.NET Core's own switch on, which alone would believe every sender.
        await using var app = await StartAsync(trustedProxy: "10.9.8.7", secureCookies: false, ("FORWARDEDHEADERS_ENABLED", "true"));
        using var http = app.CreateHttpClient();

        var answers = await PostSignInsAsync(http, forwardedFor: i => $"203.0.113.{i + 1}", proto: null);

        // Four "different" clients, all counted as 127.0.0.1: the fourth is over the limit.
        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests], answers);
    }

    [Fact]
    public async Task From_an_address_that_is_not_a_trusted_proxy_a_forwarded_https_does_not_open_the_https_only_console()
    {
        await using var app = await StartAsync(trustedProxy: "10.9.8.0/24", secureCookies: true);
        using var http = app.CreateHttpClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/console/sign-in");
        request.Headers.Add("X-Forwarded-Proto", "https");
        await Api.AssertProblemAsync(await http.SendAsync(request), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task From_a_trusted_proxy_the_forwarded_client_address_and_scheme_apply()
    {
        await using var app = await StartAsync(trustedProxy: "127.0.0.0/8", secureCookies: true);
        using var http = app.CreateHttpClient();

        // Each forwarded client has its own allowance, and the forwarded https opens the HTTPS-only console.
        var distinct = await PostSignInsAsync(http, forwardedFor: i => $"203.0.113.{i + 1}", proto: "https");
        Assert.All(distinct, answer => Assert.Equal(HttpStatusCode.BadRequest, answer)); // refused by the page: no anti-forgery token

        // One forwarded client is still limited.
        var same = await PostSignInsAsync(http, forwardedFor: _ => "198.51.100.7", proto: "https");
        Assert.Equal(HttpStatusCode.TooManyRequests, same[^1]);
    }

    static Task<PipelineApp> StartAsync(string trustedProxy, bool secureCookies, params (string Key, string Value)[] more) =>
        PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite)
        {
            ServesHttp = true,
            Overrides = new Dictionary<string, string?>(more.Select(m => KeyValuePair.Create(m.Key, (string?)m.Value)))
            {
                ["WritePipeline:Api:TrustedProxies:0"] = trustedProxy,
                ["WritePipeline:OperatorConsole:SignInAttemptsPerMinute"] = AttemptsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["WritePipeline:OperatorConsole:SecureCookies"] = secureCookies.ToString(),
            },
        });

    static async Task<List<HttpStatusCode>> PostSignInsAsync(HttpClient http, Func<int, string> forwardedFor, string? proto)
    {
        var answers = new List<HttpStatusCode>();
        for (var attempt = 0; attempt <= AttemptsPerMinute; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/console/sign-in")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "dev-operator", ["password"] = "guess-" + attempt }),
            };
            request.Headers.Add("X-Forwarded-For", forwardedFor(attempt));
            if (proto is not null)
            {
                request.Headers.Add("X-Forwarded-Proto", proto);
            }

            using var response = await http.SendAsync(request);
            answers.Add(response.StatusCode);
        }

        return answers;
    }
}
