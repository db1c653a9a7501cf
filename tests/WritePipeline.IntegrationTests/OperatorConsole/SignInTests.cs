using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace WritePipeline.IntegrationTests.OperatorConsole;

/// <summary>
/// The console's sign-in gives nothing away by its timing, and cannot be raced past the lockout. Timing itself is too
/// noisy on a shared machine to assert on: what is asserted is the work done, one password check per attempt whatever
/// the name, counted by a hasher that wraps the real one.
/// </summary>
public sealed partial class SignInTests
{
    [Fact]
    public async Task An_unknown_name_costs_one_password_check_like_a_wrong_password_and_a_locked_account()
    {
        var hasher = new CountingHasher();
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite)
        {
            Overrides = new Dictionary<string, string?>
            {
                ["WritePipeline:Operators:LockoutAttempts"] = "1",
                ["WritePipeline:OperatorConsole:SignInAttemptsPerMinute"] = "1000",
            },
            TestServices = services => services.AddSingleton<IPasswordHasher<Operator>>(hasher),
        });
        var (name, password) = await app.CreateOperatorAccountAsync("viewer");
        using var http = app.CreateClient();
        var token = await FormTokenAsync(http);

        var hashed = hasher.Hashed;
        var checks = new List<int>();
        foreach (var (who, guess) in new[] { ("nobody-" + Guid.NewGuid().ToString("N")[..8], "guess"), ("nobody-else", "guess"), (name, "wrong"), (name, password) })
        {
            var before = hasher.Verified;
            Assert.False(await SignInAsync(http, token, who, guess));
            checks.Add(hasher.Verified - before);
        }

        // Unknown, unknown, wrong (which locks it: LockoutAttempts 1), and the right one while locked: one check each.
        Assert.Equal([1, 1, 1, 1], checks);
        // The stand-in hash for unknown names was made once, with the same hasher: not once per attempt.
        Assert.Equal(1, hasher.Hashed - hashed);
    }

    [Fact]
    public async Task Concurrent_wrong_passwords_lock_the_account_after_exactly_the_limit()
    {
        const int limit = 5;
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.PostgreSql)
        {
            Overrides = new Dictionary<string, string?>
            {
                ["WritePipeline:Operators:LockoutAttempts"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["WritePipeline:OperatorConsole:SignInAttemptsPerMinute"] = "1000",
            },
        });
        var (name, password) = await app.CreateOperatorAccountAsync("viewer");
        using var http = app.CreateClient();
        var token = await FormTokenAsync(http);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => SignInAsync(http, token, name, "wrong-" + i)));

        Assert.DoesNotContain(true, answers);
        var account = await app.QueryAsync(db => db.Operators.AsNoTracking().SingleAsync(o => o.Name == name));
        // Each wrong password counted, none overwrote another's count, and none counted once the account was locked.
        Assert.Equal(limit, account.FailedSignIns);
        Assert.True(account.LockedUntil > DateTimeOffset.UtcNow, $"locked until {account.LockedUntil}");
        Assert.False(await SignInAsync(http, token, name, password));
    }

    /// <summary>The sign-in form's anti-forgery token (the client keeps its cookie); one serves many posts.</summary>
    static async Task<string> FormTokenAsync(HttpClient http) =>
        FormToken().Match(await http.GetStringAsync("/console/sign-in")).Groups[1].Value;

    /// <summary>Posts the sign-in form; true when it signed in.</summary>
    static async Task<bool> SignInAsync(HttpClient http, string token, string name, string password)
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = name, ["password"] = password, ["__RequestVerificationToken"] = token });
        using var response = await http.PostAsync("/console/sign-in", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Redirect, $"{(int)response.StatusCode}: {body}");
        return !body.Contains("Unknown name or wrong password", StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    /// <summary>ASP.NET Core Identity's hasher, counting what it does.</summary>
    sealed class CountingHasher : IPasswordHasher<Operator>
    {
        readonly PasswordHasher<Operator> _inner = new();
        int _hashed;
        int _verified;

        public int Hashed => Volatile.Read(ref _hashed);

        public int Verified => Volatile.Read(ref _verified);

        public string HashPassword(Operator user, string password)
        {
            Interlocked.Increment(ref _hashed);
            return _inner.HashPassword(user, password);
        }

        public PasswordVerificationResult VerifyHashedPassword(Operator user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verified);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
