using System.Net;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Admin;

/// <summary>Operators' decisions in the audit log: taken, refused and invalid ones, and the log's filters.</summary>
public abstract class OperatorAuditTests(AdminActionsFixture fixture) : AdminActionsTest(fixture)
{
    [Fact]
    public async Task An_operators_resubmit_is_audited_with_who_took_it_the_original_and_the_edited_document()
    {
        var (_, http) = await App.CreateClientAsync();
        var (holder, taker) = (TestKeys.New("c"), TestKeys.New("c"));
        await http.AppliedAsync(http.PutAsync("customers", holder, new JsonObject { ["email"] = $"{holder}@example.com" }));
        var original = new JsonObject { ["email"] = $"{holder}@example.com", ["name"] = "Taker" };
        var taken = await http.PutAsync("customers", taker, original).AcceptedAsync();
        await http.UntilStatusAsync(taken, "parked");
        var (actor, @operator) = await OperatorAsync();
        var edited = new JsonObject { ["email"] = $"{taker}@example.com", ["name"] = "Taker" };

        var answer = await DecideAsync(@operator, taken, "resubmit", edited);

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        Assert.Equal(AdminWrites + taken, answer.Headers.Location?.ToString());
        var status = await @operator.UntilStatusAtAsync(AdminWrites, taken, "applied");
        Assert.Equal(actor, Text(status["resolution"], "by"));
        Assert.True(JsonNode.DeepEquals(edited, await (await http.GetAsync(Api.RecordPath("customers", taker))).JsonAsync()));

        var entry = Assert.Single(await AuditOfAsync(@operator, taken));
        Assert.Equal(actor, Text(entry, "actor"));
        Assert.Equal("write.resubmit", Text(entry, "action"));
        Assert.Equal("taken", Text(entry, "outcome"));
        Assert.Equal($"customers/{taker}", Text(entry, "subject"));
        var before = JsonNode.Parse(Text(entry, "before"))!;
        Assert.Equal("parked", Text(before, "status"));
        Assert.True(JsonNode.DeepEquals(original, before["document"]));
        Assert.True(JsonNode.DeepEquals(edited, JsonNode.Parse(Text(entry, "after"))!["document"]));

        // The same entry under the log's other filters.
        var byActor = await GetJsonAsync(@operator, $"/v1/admin/audit?actor={actor}&action=write.");
        Assert.Equal(entry["id"]!.GetValue<Guid>(), Assert.Single(byActor["items"]!.AsArray())!["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task A_refused_operator_decision_answers_409_and_is_audited_as_refused()
    {
        var (_, http) = await App.CreateClientAsync();
        var key = TestKeys.New("c");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada" }));
        var stale = await http.PutAsync("customers", key, new JsonObject { ["name"] = "Bob" }, Api.IfMatch(7)).AcceptedAsync();
        await http.UntilStatusAsync(stale, "parked");
        var (actor, @operator) = await OperatorAsync();

        await Api.AssertProblemAsync(await DecideAsync(@operator, stale, "rebase"), HttpStatusCode.Conflict, "resolution-not-allowed");

        var entry = Assert.Single(await AuditOfAsync(@operator, stale));
        Assert.Equal((actor, "write.rebase", "refused"), (Text(entry, "actor"), Text(entry, "action"), Text(entry, "outcome")));
        Assert.Contains("rebase", Text(entry, "detail"), StringComparison.Ordinal);
        Assert.Equal("parked", Text(JsonNode.Parse(Text(entry, "after")), "status"));
        Assert.Equal("parked", Text(await GetJsonAsync(@operator, AdminWrites + stale), "status"));
    }

    [Fact]
    public async Task An_overlong_reason_is_refused_and_still_audited()
    {
        var (_, http) = await App.CreateClientAsync();
        var writeId = await ParkedAsync(http, TestKeys.New("long"));
        var (_, @operator) = await OperatorAsync();

        var reason = new string('r', 5000);
        await Api.AssertProblemAsync(await DecideAsync(@operator, writeId, "discard", reason: reason), HttpStatusCode.BadRequest, "invalid-resolution");
        await Api.AssertProblemAsync(await DecideAsync(@operator, writeId, new string('x', 80)), HttpStatusCode.BadRequest, "invalid-resolution");

        var entries = await AuditOfAsync(@operator, writeId);
        Assert.Equal([("write.discard", "invalid"), ("write.unknown", "invalid")], entries.Select(e => (Text(e, "action"), Text(e, "outcome"))));
        Assert.StartsWith("rrrr", Text(entries[0], "reason"), StringComparison.Ordinal);
        Assert.True(Text(entries[0], "reason").Length <= 2000);
        Assert.Equal("parked", Text(await GetJsonAsync(@operator, AdminWrites + writeId), "status"));
    }

    [Fact]
    public async Task The_audit_log_is_filtered_by_times_given_with_any_offset()
    {
        var (_, http) = await App.CreateClientAsync();
        var writeId = await ParkedAsync(http, TestKeys.New("tz"));
        var (_, @operator) = await OperatorAsync();
        await Api.AssertProblemAsync(await DecideAsync(@operator, writeId, "rebase"), HttpStatusCode.Conflict, "resolution-not-allowed");
        var at = (await AuditOfAsync(@operator, writeId)).Single()["at"]!.GetValue<DateTimeOffset>();

        // The same instants, written in UTC+02:00.
        string Local(DateTimeOffset instant) => Uri.EscapeDataString(instant.ToOffset(TimeSpan.FromHours(2)).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        var around = await GetJsonAsync(@operator, $"/v1/admin/audit?writeId={writeId}&since={Local(at.AddMinutes(-1))}&until={Local(at.AddMinutes(1))}");
        var after = await GetJsonAsync(@operator, $"/v1/admin/audit?writeId={writeId}&since={Local(at.AddMinutes(1))}");

        Assert.Equal(1, around["total"]!.GetValue<int>());
        Assert.Equal(0, after["total"]!.GetValue<int>());
    }
}

[Collection(AdminActionsPostgres.Name)]
public sealed class PostgresOperatorAuditTests(AdminActionsPostgresFixture fixture) : OperatorAuditTests(fixture);

[Collection(AdminActionsSqlite.Name)]
public sealed class EmbeddedSqliteOperatorAuditTests(AdminActionsSqliteFixture fixture) : OperatorAuditTests(fixture);
