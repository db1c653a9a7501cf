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
        using (var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "dev-operator" }))
        {
            var refused = await http.PostAsync("/console/sign-in", form);
            Assert.Equal("60", refused.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Api.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "too-many-requests");
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/console/sign-in")).StatusCode);
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_account_for_a_while_even_against_the_right_one()
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite)
        {
            Overrides = new Dictionary<string, string?>
            {
                ["WritePipeline:Operators:LockoutAttempts"] = "3",
                ["WritePipeline:OperatorConsole:SignInAttemptsPerMinute"] = "1000",
                ["WritePipeline:Operators:LockoutDuration"] = "00:00:02",
            },
        });
        var (name, password) = await app.CreateOperatorAccountAsync("viewer");
        using var http = app.CreateClient(); // keeps the anti-forgery cookie between requests

        for (var attempt = 0; attempt < 3; attempt++)
        {
            Assert.False(await SignInAsync(http, name, "wrong-" + attempt));
        }

        // Locked: the right password gets the same answer as a wrong one.
        Assert.False(await SignInAsync(http, name, password));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.UntilAsync(() => SignInAsync(http, name, password), "the lockout ends");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10));
    }

    /// <summary>Posts the sign-in form as a browser would (with the form's anti-forgery token); true when it signed in.</summary>
    static async Task<bool> SignInAsync(HttpClient http, string name, string password)
    {
        var form = await http.GetStringAsync("/console/sign-in");
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = name, ["password"] = password, ["__RequestVerificationToken"] = token });
        var response = await http.PostAsync("/console/sign-in", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Redirect, $"{(int)response.StatusCode}: {body}");
        return !body.Contains("Unknown name or wrong password", StringComparison.Ordinal);
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
