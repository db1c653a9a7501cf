using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StandardWebhooks;

namespace WritePipeline.IntegrationTests.Support;

/// <summary>
/// A real webhook receiver on loopback (Kestrel): verifies every delivery with the StandardWebhooks reference
/// implementation and answers as each test scripts it (errors, slowness, 429 with Retry-After, 410), then 200.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    readonly ConcurrentDictionary<string, ConcurrentQueue<Answer>> _scripts = new();
    readonly ConcurrentDictionary<string, string[]> _secrets = new();

    WebhookReceiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = null!;

    /// <summary>How the receiver answers one delivery.</summary>
    public sealed record Answer(int Status, TimeSpan? Delay = null, string? RetryAfter = null);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks/{name}", receiver.ReceiveAsync);
        await app.StartAsync();
        receiver.BaseUrl = app.Urls.First();
        return receiver;
    }

    /// <summary>A fresh endpoint URL on this receiver.</summary>
    public string NewEndpoint(out string name)
    {
        name = Guid.NewGuid().ToString("N")[..10];
        return $"{BaseUrl}/hooks/{name}";
    }

    /// <summary>The next deliveries to <paramref name="name"/> get these answers, in order; after them, 200.</summary>
    public void Script(string name, params Answer[] answers) => _scripts[name] = new ConcurrentQueue<Answer>(answers);

    /// <summary>The secrets the receiver verifies deliveries to <paramref name="name"/> with.</summary>
    public void Trust(string name, params string[] secrets) => _secrets[name] = secrets;

    public IReadOnlyList<ReceivedWebhook> For(string name) => [.. _received.Where(r => r.Endpoint == name)];

    async Task<IResult> ReceiveAsync(string name, HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync();
        var verifiedBy = (_secrets.GetValueOrDefault(name) ?? []).Select(secret => Verifies(secret, body, http.Request.Headers)).ToArray();
        _received.Enqueue(new ReceivedWebhook(
            name,
            DateTimeOffset.UtcNow,
            http.Request.Headers["webhook-id"].ToString(),
            http.Request.Headers["webhook-timestamp"].ToString(),
            http.Request.Headers["webhook-signature"].ToString(),
            body,
            verifiedBy,
            http.Request.Headers["traceparent"].ToString()));

        var answer = _scripts.TryGetValue(name, out var script) && script.TryDequeue(out var next) ? next : new Answer(200);
        if (answer.Delay is { } delay)
        {
            await Task.Delay(delay, http.RequestAborted);
        }

        if (answer.RetryAfter is not null)
        {
            http.Response.Headers.RetryAfter = answer.RetryAfter;
        }

        return Results.Text($"answer {answer.Status}", statusCode: answer.Status);
    }

    /// <summary>
    /// Whether any of the signatures verifies with <paramref name="secret"/>, as the spec asks of receivers. The
    /// StandardWebhooks .NET package (1.1.2) only looks at the first signature of the header, so each signature is
    /// handed to it on its own.
    /// </summary>
    static bool Verifies(string secret, string body, IHeaderDictionary headers) =>
        headers["webhook-signature"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(signature =>
        {
            var single = new HeaderDictionary
            {
                ["webhook-id"] = headers["webhook-id"],
                ["webhook-timestamp"] = headers["webhook-timestamp"],
                ["webhook-signature"] = signature,
            };
            try
            {
                new StandardWebhook(secret).Verify(body, single);
                return true;
            }
            catch (Exception)
            {
                return false;
            }
        });

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>One delivery as the receiver got it, which of its trusted secrets verified it, and the trace context it came with.</summary>
public sealed record ReceivedWebhook(string Endpoint, DateTimeOffset At, string Id, string Timestamp, string Signature, string Body, bool[] VerifiedBy, string TraceParent)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

    public string Type => Json["type"]!.GetValue<string>();
}
