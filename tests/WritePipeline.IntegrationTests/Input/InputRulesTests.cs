using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Input;

/// <summary>
/// The JSON input rules (docs/api.md, "Input rules") hold for every endpoint that takes a document, with the same
/// problem in Development and Production: invalid UTF-8, a member name twice, nesting too deep, a body over the limit,
/// a key with a trailing newline, a body of the wrong shape. Nothing is stored for any of them and the app stays healthy.
/// </summary>
public sealed class InputRulesTests
{
    static readonly byte[] InvalidUtf8 = [.. "{\"name\":\""u8, 0xC3, 0x28, .. "\"}"u8];

    public static TheoryData<string> Environments => new() { "Development", "Production" };

    [Theory]
    [MemberData(nameof(Environments))]
    public async Task Documents_that_break_a_rule_are_refused_and_nothing_is_stored(string environment)
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite) { Environment = environment });
        var (clientId, http) = await app.CreateClientAsync();

        await Api.AssertProblemAsync(await SendBytesAsync(http, HttpMethod.Put, Api.RecordPath("customers", "c1"), InvalidUtf8, "application/json"), HttpStatusCode.BadRequest, "malformed-json");
        await Api.AssertProblemAsync(await http.SendAsync(HttpMethod.Put, "customers", "c1", """{"a":1,"a":2}""", "application/json"), HttpStatusCode.BadRequest, "malformed-json");
        await Api.AssertProblemAsync(await http.SendAsync(HttpMethod.Patch, "customers", "c1", """{"a":{"b":1,"b":null}}""", "application/merge-patch+json"), HttpStatusCode.BadRequest, "malformed-json");
        await Api.AssertProblemAsync(await http.SendAsync(HttpMethod.Put, "customers", "c1", Nested(65), "application/json"), HttpStatusCode.BadRequest, "malformed-json");
        await Api.AssertProblemAsync(await http.SendAsync(HttpMethod.Put, "customers", "c1%0A", "{}", "application/json"), HttpStatusCode.BadRequest, "invalid-name");
        await Api.AssertProblemAsync(
            await http.SendAsync(HttpMethod.Put, "customers", "c1%0A", "{}", "application/json", r => r.Headers.TryAddWithoutValidation("Prefer", "wait=5")),
            HttpStatusCode.BadRequest,
            "invalid-name");
        Assert.Equal(0, await app.QueryAsync(db => Task.FromResult(db.Writes.Count(w => w.ClientId == clientId))));

        // At the limits, a document is accepted.
        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(HttpMethod.Put, "customers", "deep", Nested(64), "application/json")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await http.PutAsync("customers", "unicode", new JsonObject { ["name"] = "Zoë 😀" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateHttpClient().GetAsync("/health/live")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public async Task Resolutions_and_webhooks_are_held_to_the_same_rules(string environment)
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite) { Environment = environment });
        var (_, http) = await app.CreateClientAsync();
        var resolution = $"/v1/writes/{Guid.NewGuid()}/resolution";

        // A body of the wrong shape is the client's mistake in every environment.
        await Api.AssertProblemAsync(await SendBytesAsync(http, HttpMethod.Post, resolution, "["u8.ToArray(), "application/json"), HttpStatusCode.BadRequest, "malformed-json");
        await Api.AssertProblemAsync(await SendBytesAsync(http, HttpMethod.Post, resolution, "[1]"u8.ToArray(), "application/json"), HttpStatusCode.BadRequest, "invalid-document");
        await Api.AssertProblemAsync(await SendBytesAsync(http, HttpMethod.Post, resolution, """{"action":"retry","action":"discard"}"""u8.ToArray(), "application/json"), HttpStatusCode.BadRequest, "malformed-json");
        await Api.AssertProblemAsync(await SendBytesAsync(http, HttpMethod.Post, resolution, InvalidUtf8, "application/json"), HttpStatusCode.BadRequest, "malformed-json");

        // A resubmitted document is no larger than a submitted one.
        var huge = new JsonObject { ["action"] = "resubmit", ["document"] = new JsonObject { ["blob"] = new string('x', 2 * 1024 * 1024) } };
        await Api.AssertProblemAsync(await http.PostAsJsonAsync(resolution, huge), HttpStatusCode.RequestEntityTooLarge, "payload-too-large");

        await Api.AssertProblemAsync(
            await SendBytesAsync(http, HttpMethod.Post, "/v1/webhooks", """{"url":"https://example.com/a","url":"https://example.com/b"}"""u8.ToArray(), "application/json"),
            HttpStatusCode.BadRequest,
            "malformed-json");
        Assert.Equal("[]", (await (await http.GetAsync("/v1/webhooks")).JsonArrayAsync()).ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await app.CreateHttpClient().GetAsync("/health/live")).StatusCode);
    }

    /// <summary>An object whose member holds arrays nested to <paramref name="depth"/> levels, the object included.</summary>
    static string Nested(int depth) => "{\"n\":" + new string('[', depth - 1) + new string(']', depth - 1) + "}";

    static async Task<HttpResponseMessage> SendBytesAsync(HttpClient http, HttpMethod method, string path, byte[] body, string contentType)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await http.SendAsync(request);
    }
}
