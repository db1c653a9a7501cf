using System.Net;
using System.Text.Json.Nodes;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Input;

/// <summary>
/// A collection's JSON Schema (<c>Collections:&lt;name&gt;:Schema</c>) through real HTTP: a PUT or a resubmitted document
/// that breaks it gets 422 <c>schema-violation</c> with every failing instance path, and nothing is stored; a merge
/// patch that breaks it once merged ends <c>failed</c> with <c>schema_violation</c>, the record keeps its version, and the
/// key's next write is applied.
/// </summary>
public sealed class SchemaTests
{
    const string Schema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "required": ["name"],
          "properties": {
            "name": { "type": "string" },
            "address": { "type": "object", "properties": { "zip": { "type": "string", "pattern": "^[0-9]{5}$" } } },
            "items": { "type": "array", "items": { "type": "object", "properties": { "qty": { "type": "integer", "minimum": 1 } } } }
          }
        }
        """;

    static readonly JsonObject Valid = new()
    {
        ["name"] = "Ada",
        ["address"] = new JsonObject { ["zip"] = "10115" },
        ["items"] = new JsonArray(new JsonObject { ["qty"] = 2 }),
    };

    /// <summary>The app with one collection, <c>products</c>, whose schema is given as a file (or inline).</summary>
    static Task<PipelineApp> StartAsync(bool inline = false)
    {
        var setting = Schema;
        if (!inline)
        {
            setting = Path.Combine(Directory.CreateTempSubdirectory("schema-").FullName, "products.schema.json");
            File.WriteAllText(setting, Schema);
        }

        return PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite)
        {
            Overrides = new Dictionary<string, string?> { ["WritePipeline:Collections:products:Schema"] = setting },
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_put_that_breaks_the_schema_gets_422_with_every_failing_path_and_nothing_is_stored(bool inline)
    {
        await using var app = await StartAsync(inline);
        var (clientId, http) = await app.CreateClientAsync();
        var broken = new JsonObject
        {
            ["address"] = new JsonObject { ["zip"] = 10115 },
            ["items"] = new JsonArray(new JsonObject { ["qty"] = 1 }, new JsonObject { ["qty"] = 0 }),
        };

        var problem = await Api.AssertProblemAsync(await http.PutAsync("products", "p1", broken), HttpStatusCode.UnprocessableEntity, "schema-violation");

        var errors = problem["errors"]!.AsArray().Select(e => e!.AsObject()).ToList();
        Assert.Equal(["", "/address/zip", "/items/1/qty"], errors.Select(e => e["path"]!.GetValue<string>()));
        Assert.Contains("name", errors[0]["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("string", errors[1]["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("1", errors[2]["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, await app.QueryAsync(db => Task.FromResult(db.Writes.Count(w => w.ClientId == clientId))));
        await Api.AssertProblemAsync(await http.GetAsync(Api.RecordPath("products", "p1")), HttpStatusCode.NotFound, "record-not-found");

        // The same record, valid, is accepted and applied.
        await http.AppliedAsync(http.PutAsync("products", "p1", Valid));
    }

    [Fact]
    public async Task A_patch_that_breaks_the_schema_once_merged_fails_and_the_key_goes_on()
    {
        await using var app = await StartAsync();
        var (_, http) = await app.CreateClientAsync();
        await http.AppliedAsync(http.PutAsync("products", "p1", Valid));

        // Each part is valid JSON for a patch; merged, the zip is too short and the second item's quantity a string.
        var breaking = await http.PatchAsync("products", "p1", new JsonObject
        {
            ["address"] = new JsonObject { ["zip"] = "1011" },
            ["items"] = new JsonArray(new JsonObject { ["qty"] = 2 }, new JsonObject { ["qty"] = "three" }),
        }).AcceptedAsync();
        var next = await http.PatchAsync("products", "p1", new JsonObject { ["items"] = new JsonArray(new JsonObject { ["qty"] = 3 }) }).AcceptedAsync();

        var failed = await http.UntilFinalAsync(breaking);
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Equal("schema_violation", failed["error"]!["type"]!.GetValue<string>());
        var detail = failed["error"]!["detail"]!.GetValue<string>();
        Assert.Contains("\"/address/zip\": ", detail, StringComparison.Ordinal);
        Assert.Contains("\"/items/1/qty\": ", detail, StringComparison.Ordinal);
        Assert.True(detail.IndexOf("/address/zip", StringComparison.Ordinal) < detail.IndexOf("/items/1/qty", StringComparison.Ordinal));

        // The key was not held up: the next patch applied on the record as the PUT left it, as version 2.
        var applied = await http.UntilFinalAsync(next);
        Assert.Equal(("applied", 2L), (applied["status"]!.GetValue<string>(), applied["version"]!.GetValue<long>()));
        var record = await http.GetAsync(Api.RecordPath("products", "p1"));
        Assert.Equal("\"2\"", record.Headers.ETag!.Tag);
        Assert.Equal("""{"name":"Ada","address":{"zip":"10115"},"items":[{"qty":3}]}""", (await record.JsonAsync()).ToJsonString());

        // With Prefer: wait, the failure is the answer, typed by its error.
        var waited = await http.PatchAsync("products", "p1", new JsonObject { ["name"] = null }, r => r.Headers.TryAddWithoutValidation("Prefer", "wait=20"));
        await Api.AssertProblemAsync(waited, HttpStatusCode.UnprocessableEntity, "schema_violation");
    }

    [Fact]
    public async Task A_resubmitted_document_is_held_to_the_schema()
    {
        await using var app = await StartAsync();
        var (_, http) = await app.CreateClientAsync();
        await http.AppliedAsync(http.PutAsync("products", "p1", Valid));
        var create = await http.PutAsync("products", "p1", Valid, r => r.Headers.TryAddWithoutValidation("If-None-Match", "*")).AcceptedAsync();
        await http.UntilStatusAsync(create, "parked");

        var refused = await http.ResolveAsync(create, "resubmit", new JsonObject { ["name"] = 7 });

        var problem = await Api.AssertProblemAsync(refused, HttpStatusCode.UnprocessableEntity, "schema-violation");
        Assert.Equal(["/name"], problem["errors"]!.AsArray().Select(e => e!["path"]!.GetValue<string>()));
        Assert.Equal("parked", (await (await http.GetAsync($"/v1/writes/{create}")).JsonAsync())["status"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(create, "resubmit", new JsonObject { ["name"] = "Ada B." })).StatusCode);
        var applied = await http.UntilStatusAsync(create, "applied");
        Assert.Equal(2L, applied["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_decision_whose_patch_breaks_the_schema_ends_the_write_failed_and_its_saga_too()
    {
        await using var app = await StartAsync();
        var (_, http) = await app.CreateClientAsync();
        await http.AppliedAsync(http.PutAsync("products", "p1", Valid));
        var stale = await http.PatchAsync("products", "p1", new JsonObject { ["name"] = "Ada C." }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(stale, "parked");

        // The resubmitted patch removes a required member: it fails once merged, on the worker.
        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(stale, "resubmit", new JsonObject { ["name"] = null })).StatusCode);
        var failed = await http.UntilStatusAsync(stale, "failed");

        Assert.Equal("schema_violation", failed["error"]!["type"]!.GetValue<string>());
        // The saga does not wait for ever in Resolving: the decision's outcome is final.
        await Eventually.UntilAsync(
            async () => await app.QueryAsync(db => Task.FromResult(db.ConflictSagas.Single(s => s.CorrelationId == stale).CurrentState)) == "Failed",
            "the saga ends failed");
    }

    [Theory]
    [InlineData("WritePipeline:Collections:products:Schema", """{"type": 5}""", "is not a valid JSON Schema")]
    [InlineData("WritePipeline:Collections:products:Schema", "schemas/missing.json", "cannot be read")]
    [InlineData("WritePipeline:Collections:products:Schema:type", "object", "is a JSON object inside the configuration")]
    public async Task A_schema_that_cannot_be_used_stops_start_up_naming_the_collection(string key, string value, string why)
    {
        var setup = new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite)
        {
            Overrides = new Dictionary<string, string?> { [key] = value },
        };

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => PipelineApp.StartAsync(setup));

        var message = failure.ToString();
        Assert.Contains("WritePipeline:Collections:products:Schema", message, StringComparison.Ordinal);
        Assert.Contains(why, message, StringComparison.Ordinal);
    }
}
