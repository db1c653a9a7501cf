using System.Net;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.OperatorConsole;

/// <summary>The console's guards that need no browser: sign-in throttling, and HTTPS-only cookies refusing plain HTTP.</summary>
public sealed class ConsoleGuardTests
{
    [Fact]
    public async Task Sign_in_attempts_beyond_the_limit_get_429()
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite)
        {
            Overrides = new Dictionary<string, string?> { ["WritePipeline:OperatorConsole:SignInAttemptsPerMinute"] = "3" },
        });
        using var http = app.CreateClient();

        var answers = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 4; attempt++)
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "dev-operator", ["password"] = "guess-" + attempt });
            answers.Add((await http.PostAsync("/console/sign-in", form)).StatusCode);
        }

        // The first three reach the page (refused there: no anti-forgery token); the fourth never does.
        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests], answers);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/console/sign-in")).StatusCode);
    }

    [Fact]
    public async Task With_secure_cookies_the_console_refuses_plain_HTTP_with_a_problem()
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite)
        {
            Overrides = new Dictionary<string, string?> { ["WritePipeline:OperatorConsole:SecureCookies"] = "true" },
        });
        using var http = app.CreateClient();

        var response = await http.GetAsync("/console/sign-in");

        await Api.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
    }
}
