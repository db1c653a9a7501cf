using System.Net;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Admin;

/// <summary>One write's details as operators see them: the difference, the record now, the timeline, the actions.</summary>
public abstract class WriteDetailsTests(AdminActionsFixture fixture) : AdminActionsTest(fixture)
{
    [Fact]
    public async Task Details_of_a_stale_patch_show_the_changed_line_the_record_now_the_timeline_the_actions_and_the_writes_held_behind_it()
    {
        var (_, http) = await App.CreateClientAsync("details-client");
        var key = TestKeys.New("det");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada", ["tier"] = "gold" }));
        var stale = await http.PatchAsync("customers", key, new JsonObject { ["tier"] = "platinum" }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(stale, "parked");
        var behind = await http.PatchAsync("customers", key, new JsonObject { ["name"] = "Ada L." }).AcceptedAsync();
        await http.UntilStatusAsync(behind, "held");
        var viewer = await App.CreateOperatorAsync("viewer");

        var details = await GetJsonAsync(viewer, $"{AdminWrites}{stale}/details");

        Assert.Equal("parked", Text(details["status"], "status"));
        Assert.Equal("version_mismatch", Text(details["status"]!["conflict"], "type"));
        Assert.Equal("details-client", Text(details, "clientName"));
        Assert.Equal(9, details["ifMatchVersion"]!.GetValue<long>());
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["tier"] = "platinum" }, JsonNode.Parse(Text(details, "submittedBody"))));

        var difference = details["difference"]!.AsArray().Select(d => (Text(d, "kind"), d!["left"]?.GetValue<string>(), d["right"]?.GetValue<string>())).ToList();
        Assert.Contains(("changed", "  \"tier\": \"gold\"", "  \"tier\": \"platinum\""), difference);
        Assert.Contains(("same", "  \"name\": \"Ada\",", "  \"name\": \"Ada\","), difference);
        Assert.Single(difference, d => d.Item1 != "same");

        Assert.Equal(1, details["recordVersionNow"]!.GetValue<long>());
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["name"] = "Ada", ["tier"] = "gold" }, details["recordNow"]));

        Assert.Equal(["retry", "rebase", "overwrite", "resubmit", "discard"], details["operatorActions"]!.AsArray().Select(a => a!.GetValue<string>()));

        var held = Assert.Single(details["heldBehindIt"]!.AsArray())!;
        Assert.Equal(behind, held["writeId"]!.GetValue<Guid>());
        Assert.Equal("patch", Text(held, "operation"));

        var timeline = details["timeline"]!.AsArray().Select(e => (What: Text(e, "what"), At: e!["at"]!.GetValue<DateTimeOffset>())).ToList();
        var whats = timeline.Select(e => e.What).ToList();
        Assert.True(
            whats.IndexOf("accepted") == 0 && whats.IndexOf("accepted") < whats.IndexOf("conflict") && whats.IndexOf("conflict") < whats.IndexOf("parked"),
            "timeline: " + string.Join(", ", whats));
        Assert.Equal(timeline.Select(e => e.At).Order(), timeline.Select(e => e.At));

        await Api.AssertProblemAsync(await viewer.GetAsync($"{AdminWrites}{Guid.NewGuid()}/details"), HttpStatusCode.NotFound, "write-not-found");
    }
}

[Collection(AdminActionsPostgres.Name)]
public sealed class PostgresWriteDetailsTests(AdminActionsPostgresFixture fixture) : WriteDetailsTests(fixture);

[Collection(AdminActionsSqlite.Name)]
public sealed class EmbeddedSqliteWriteDetailsTests(AdminActionsSqliteFixture fixture) : WriteDetailsTests(fixture);
