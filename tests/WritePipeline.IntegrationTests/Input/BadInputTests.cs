using System.Net;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Input;

/// <summary>Each kind of bad input gets its status and its stable problem type, and nothing is queued for it.</summary>
public sealed class BadInputTests(RabbitMqPostgresFixture fixture) : IClassFixture<RabbitMqPostgresFixture>
{
    readonly PipelineApp _app = fixture.App;

    [Theory]
    [InlineData("PUT", "customers", "c1", "{\"a\":", "application/json", HttpStatusCode.BadRequest, "malformed-json")]
    [InlineData("PUT", "customers", "c1", "[1,2]", "application/json", HttpStatusCode.BadRequest, "invalid-document")]
    [InlineData("PATCH", "customers", "c1", "\"text\"", "application/merge-patch+json", HttpStatusCode.BadRequest, "invalid-document")]
    [InlineData("PUT", "Customers", "c1", "{}", "application/json", HttpStatusCode.BadRequest, "invalid-name")]
    [InlineData("PUT", "customers", "-bad-key", "{}", "application/json", HttpStatusCode.BadRequest, "invalid-name")]
    [InlineData("PUT", "customers", "c1", "{}", "text/plain", HttpStatusCode.UnsupportedMediaType, "unsupported-media-type")]
    [InlineData("PATCH", "customers", "c1", "{}", "application/json", HttpStatusCode.UnsupportedMediaType, "unsupported-media-type")]
    [InlineData("PUT", "customers", "c1", "{}", null, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type")]
    [InlineData("PUT", "planets", "earth", "{}", "application/json", HttpStatusCode.NotFound, "unknown-collection")]
    [InlineData("DELETE", "planets", "earth", null, null, HttpStatusCode.NotFound, "unknown-collection")]
    public async Task Bad_requests_get_a_problem_of_their_kind(string method, string collection, string key, string? body, string? contentType, HttpStatusCode status, string problem)
    {
        var (clientId, http) = await _app.CreateClientAsync();

        var response = await http.SendAsync(new HttpMethod(method), collection, key, body, contentType);

        await Api.AssertProblemAsync(response, status, problem);
        Assert.Equal(0, await _app.QueryAsync(db => Task.FromResult(db.Writes.Count(w => w.ClientId == clientId))));
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_413()
    {
        var (_, http) = await _app.CreateClientAsync();
        var huge = new JsonObject { ["blob"] = new string('x', 1024 * 1024 + 1) }.ToJsonString();

        await Api.AssertProblemAsync(await http.SendAsync(HttpMethod.Put, "customers", "big", huge, "application/json"), HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Theory]
    [InlineData("If-Match", "W/\"1\"")]
    [InlineData("If-Match", "1")]
    [InlineData("If-None-Match", "\"1\"")]
    [InlineData("Idempotency-Key", "\"way-too-long-key-way-too-long-key-way-too-long-key-way-too-long-key-way-too-long-key-way-too-long-key-way-too-long-key-way-too-long-key-way-too-long-key-way-too-long-key-way-too-long-key-way-too-long-key-way-too-long-key-way-too-long-key-way-too-long-key-way-too-long-key-\"")]
    public async Task Bad_precondition_and_idempotency_headers_get_400(string header, string value)
    {
        var (_, http) = await _app.CreateClientAsync();

        var response = await http.PutAsync("customers", "c1", new JsonObject(), r => r.Headers.TryAddWithoutValidation(header, value));

        await Api.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid-header");
    }

    [Fact]
    public async Task Reading_an_absent_record_or_an_unknown_write_gets_404()
    {
        var (_, http) = await _app.CreateClientAsync();

        await Api.AssertProblemAsync(await http.GetAsync(Api.RecordPath("customers", "never-written")), HttpStatusCode.NotFound, "record-not-found");
        await Api.AssertProblemAsync(await http.GetAsync(Api.RecordPath("customers", "never-written") + "/history"), HttpStatusCode.NotFound, "record-not-found");
        await Api.AssertProblemAsync(await http.GetAsync($"/v1/writes/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "write-not-found");
        await Api.AssertProblemAsync(await http.GetAsync("/v1/writes/not-a-guid"), HttpStatusCode.NotFound, "write-not-found");
        await Api.AssertProblemAsync(await http.GetAsync(Api.RecordPath("customers", "x") + "/history?limit=0"), HttpStatusCode.BadRequest, "invalid-query");
    }

    [Fact]
    public async Task The_openapi_document_describes_every_endpoint()
    {
        var document = await (await _app.CreateClient().GetAsync("/openapi/v1.json")).JsonAsync();
        var paths = document["paths"]!.AsObject();

        var record = paths["/v1/collections/{collection}/records/{key}"]!.AsObject();
        Assert.Equal(["put", "patch", "delete", "get"], record.Select(p => p.Key).Where(k => k is "put" or "patch" or "delete" or "get"));
        Assert.True(record["patch"]!["requestBody"]!["content"]!.AsObject().ContainsKey("application/merge-patch+json"));
        Assert.True(record["put"]!["responses"]!.AsObject().ContainsKey("202"));
        Assert.NotNull(paths["/v1/collections/{collection}/records/{key}/history"]!["get"]);
        Assert.NotNull(paths["/v1/writes/{writeId}"]!["get"]);
        Assert.NotNull(paths["/v1/writes/{writeId}/resolution"]!["post"]);
        Assert.NotNull(paths["/v1/webhooks"]!["post"]);
        Assert.NotNull(paths["/v1/webhooks/{id}/deliveries/{deliveryId}/resend"]!["post"]);
        Assert.NotNull(paths["/v1/admin/writes"]!["get"]);
        Assert.NotNull(paths["/v1/admin/writes/{writeId}/resolution"]!["post"]);
    }
}
