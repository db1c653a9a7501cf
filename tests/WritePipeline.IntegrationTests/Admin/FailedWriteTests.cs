using System.Net;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Admin;

/// <summary>Writes that failed outright: listed, retried or discarded, archived and restored as failed.</summary>
public abstract class FailedWriteTests(AdminActionsFixture fixture) : AdminActionsTest(fixture)
{
    [Fact]
    public async Task A_failed_write_is_listed_can_only_be_retried_or_discarded_and_a_retry_applies_it()
    {
        var (clientId, http) = await App.CreateClientAsync();
        var key = TestKeys.New("f");
        var body = new JsonObject { ["name"] = "Failed once", ["tier"] = "silver" };
        var failed = await FailedWriteAsync(clientId, "customers", key, body);
        var (actor, @operator) = await OperatorAsync();

        var listed = Assert.Single((await GetJsonAsync(@operator, $"/v1/admin/writes?client={clientId}"))["items"]!.AsArray())!;
        Assert.Equal(failed, listed["writeId"]!.GetValue<Guid>());
        Assert.Equal(("failed", WriteErrors.UnreadableMessage), (Text(listed, "status"), Text(listed, "kind")));
        Assert.Equal(["retry", "discard"], (await GetJsonAsync(@operator, $"{AdminWrites}{failed}/details"))["operatorActions"]!.AsArray().Select(a => a!.GetValue<string>()));

        await Api.AssertProblemAsync(await DecideAsync(@operator, failed, "rebase"), HttpStatusCode.Conflict, "resolution-not-allowed");
        var retried = await DecideAsync(@operator, failed, "retry");

        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Equal(AdminWrites + failed, retried.Headers.Location?.ToString());
        Assert.Equal(1, (await http.UntilStatusAsync(failed, "applied"))["version"]!.GetValue<long>());
        Assert.True(JsonNode.DeepEquals(body, await (await http.GetAsync(Api.RecordPath("customers", key))).JsonAsync()));
        Assert.Equal(
            [(actor, "write.rebase", "refused"), (actor, "write.retry", "taken")],
            (await AuditOfAsync(@operator, failed)).Select(e => (Text(e, "actor"), Text(e, "action"), Text(e, "outcome"))));
    }

    [Fact]
    public async Task A_discarded_failed_write_is_archived_with_who_discarded_it_and_restored_as_failed()
    {
        var (clientId, http) = await App.CreateClientAsync();
        var key = TestKeys.New("f");
        var failed = await FailedWriteAsync(clientId, "customers", key, new JsonObject { ["name"] = "Never" });
        var (actor, @operator) = await OperatorAsync();

        await Api.AssertProblemAsync(await DecideAsync(@operator, failed, "discard"), HttpStatusCode.BadRequest, "invalid-resolution");
        var discarded = await DecideAsync(@operator, failed, "discard", reason: "garbled by an old client");

        Assert.Equal(HttpStatusCode.Accepted, discarded.StatusCode);
        Assert.Equal("discarded", Text(await discarded.JsonAsync(), "status"));
        var archived = await ArchivedAsync(@operator, failed, "customers", key);
        Assert.NotNull(archived);
        Assert.Equal(("garbled by an old client", actor, WriteErrors.UnreadableMessage), (Text(archived, "reason"), Text(archived, "discardedBy"), Text(archived, "kind")));
        Assert.NotNull(archived["purgeAfter"]);

        var restored = await RestoreAsync(@operator, failed);

        Assert.Equal(HttpStatusCode.Accepted, restored.StatusCode);
        var status = await http.UntilStatusAsync(failed, "failed");
        Assert.Equal(WriteErrors.UnreadableMessage, Text(status["error"], "type"));
        Assert.Null(await ArchivedAsync(@operator, failed, "customers", key));
        await Api.AssertProblemAsync(await RestoreAsync(@operator, failed), HttpStatusCode.Conflict, "resolution-not-allowed");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(Api.RecordPath("customers", key))).StatusCode);
    }
}

[Collection(AdminActionsPostgres.Name)]
public sealed class PostgresFailedWriteTests(AdminActionsPostgresFixture fixture) : FailedWriteTests(fixture);

[Collection(AdminActionsSqlite.Name)]
public sealed class EmbeddedSqliteFailedWriteTests(AdminActionsSqliteFixture fixture) : FailedWriteTests(fixture);
