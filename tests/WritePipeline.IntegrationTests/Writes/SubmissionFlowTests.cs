using System.Net;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Writes;

/// <summary>Submit, poll, read and page the history through HTTP, on each transport and database.</summary>
public abstract class SubmissionFlowTests(PipelineAppFixture fixture)
{
    readonly PipelineApp _app = fixture.App;

    [Fact]
    public async Task Runs_on_the_configured_transport_and_database()
    {
        var provider = await _app.QueryAsync(db => Task.FromResult(db.Database.ProviderName!));
        Assert.EndsWith(_app.Setup.Database == DatabaseProvider.PostgreSql ? "PostgreSQL" : "Sqlite", provider, StringComparison.Ordinal);

        var bus = _app.Bus.Address.Scheme;
        Assert.Equal(_app.Setup.Transport == TransportKind.RabbitMq ? "rabbitmq" : "loopback", bus);
        await _app.UntilReadyAsync();
        if (_app.VirtualHost is not null)
        {
            Assert.Contains("\"x-single-active-consumer\":true", await _app.VirtualHost.QueueJsonAsync("writes-p0"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_write_is_accepted_applied_and_readable_with_its_history()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = "c-" + Guid.NewGuid().ToString("N")[..8];

        var accepted = await http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada", ["email"] = $"{key}@example.com" });

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var receipt = await accepted.JsonAsync();
        Assert.Equal($"/v1/writes/{receipt.WriteId()}", accepted.Headers.Location!.ToString());
        Assert.NotNull(accepted.Headers.RetryAfter);
        Assert.Equal("queued", receipt["status"]!.GetValue<string>());
        Assert.Equal("replace", receipt["operation"]!.GetValue<string>());
        Assert.Equal(key, receipt["key"]!.GetValue<string>());

        var status = await http.UntilFinalAsync(receipt.WriteId());
        Assert.Equal("applied", status["status"]!.GetValue<string>());
        Assert.Equal(1, status["version"]!.GetValue<long>());
        Assert.NotNull(status["appliedAt"]);

        var record = await http.GetAsync(Api.RecordPath("customers", key));
        Assert.Equal(HttpStatusCode.OK, record.StatusCode);
        Assert.Equal("\"1\"", record.Headers.ETag!.Tag);
        Assert.Equal("Ada", (await record.JsonAsync())["name"]!.GetValue<string>());

        var patched = await http.PatchAsync("customers", key, new JsonObject { ["name"] = "Ada L.", ["email"] = null }, r => r.Headers.TryAddWithoutValidation("If-Match", "\"1\""));
        Assert.Equal("applied", (await http.UntilFinalAsync((await patched.JsonAsync()).WriteId()))["status"]!.GetValue<string>());
        var deleted = await http.DeleteAsync("customers", key);
        Assert.Equal("applied", (await http.UntilFinalAsync((await deleted.JsonAsync()).WriteId()))["status"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(Api.RecordPath("customers", key))).StatusCode);

        var history = await (await http.GetAsync(Api.RecordPath("customers", key) + "/history?limit=2")).JsonAsync();
        var items = history["items"]!.AsArray();
        Assert.Equal([1L, 2L], items.Select(i => i!["version"]!.GetValue<long>()));
        Assert.Equal(receipt.WriteId(), items[0]!["writeId"]!.GetValue<Guid>());
        Assert.Equal("Ada L.", items[1]!["document"]!["name"]!.GetValue<string>());
        Assert.False(items[1]!["document"]!.AsObject().ContainsKey("email"));

        var next = history["next"]!.GetValue<string>();
        var last = await (await http.GetAsync(next)).JsonAsync();
        Assert.Equal("delete", last["items"]![0]!["operation"]!.GetValue<string>());
        Assert.Null(last["items"]![0]!["document"]);
        Assert.Null(last["next"]);
    }

    [Fact]
    public async Task Writes_whose_preconditions_fail_end_conflicted_with_the_reason()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = "c-" + Guid.NewGuid().ToString("N")[..8];
        await http.UntilFinalAsync((await (await http.PutAsync("customers", key, new JsonObject { ["v"] = 1 })).JsonAsync()).WriteId());

        // Three keys: a conflicted write holds its key, so later writes to that key would wait behind it.
        var stale = await (await http.PutAsync("customers", key, new JsonObject { ["v"] = 2 }, r => r.Headers.TryAddWithoutValidation("If-Match", "\"9\""))).JsonAsync();
        var create = await (await http.PutAsync("customers", key, new JsonObject { ["v"] = 3 }, r => r.Headers.TryAddWithoutValidation("If-None-Match", "*"))).JsonAsync();
        var missing = await (await http.PatchAsync("customers", key + "-none", new JsonObject { ["v"] = 4 })).JsonAsync();

        Assert.Equal("version_mismatch", (await http.UntilStatusAsync(stale.WriteId(), "parked"))["error"]!["type"]!.GetValue<string>());
        var held = await http.UntilStatusAsync(create.WriteId(), "held");
        Assert.Equal(stale.WriteId(), held["heldBehind"]!["writeId"]!.GetValue<Guid>());
        var notFound = await http.UntilStatusAsync(missing.WriteId(), "parked");
        Assert.Equal("not_found", notFound["error"]!["type"]!.GetValue<string>());

        // Discarding the stale write releases the one held behind it, which conflicts in turn.
        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(stale.WriteId(), "discard", reason: "stale")).StatusCode);
        Assert.Equal("already_exists", (await http.UntilStatusAsync(create.WriteId(), "parked"))["error"]!["type"]!.GetValue<string>());

        var record = await http.GetAsync(Api.RecordPath("customers", key));
        Assert.Equal("\"1\"", record.Headers.ETag!.Tag);
    }
}

public sealed class EmbeddedSqliteSubmissionTests(EmbeddedSqliteFixture fixture) : SubmissionFlowTests(fixture), IClassFixture<EmbeddedSqliteFixture>;

public sealed class RabbitMqSqliteSubmissionTests(RabbitMqSqliteFixture fixture) : SubmissionFlowTests(fixture), IClassFixture<RabbitMqSqliteFixture>;

public sealed class RabbitMqPostgresSubmissionTests(RabbitMqPostgresFixture fixture) : SubmissionFlowTests(fixture), IClassFixture<RabbitMqPostgresFixture>;
