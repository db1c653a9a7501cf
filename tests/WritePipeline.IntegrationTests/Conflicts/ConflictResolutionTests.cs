using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Testing;
using WritePipeline.Writes.Detection;

namespace WritePipeline.IntegrationTests.Conflicts;

/// <summary>
/// Conflicted writes go to their saga, are parked, and are resolved by their submitter through the real pipeline
/// (RabbitMQ + PostgreSQL): each decision from the parked state, the refusals, and the key held meanwhile.
/// </summary>
public sealed class ConflictResolutionTests(ConflictsFixture fixture) : IClassFixture<ConflictsFixture>
{
    readonly PipelineApp _app = fixture.App;

    [Fact]
    public async Task A_conflict_without_a_webhook_is_parked_with_the_actions_it_allows()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = TestKeys.New("c");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada" }));

        var stale = await http.PutAsync("customers", key, new JsonObject { ["name"] = "Bob" }, Api.IfMatch(7)).AcceptedAsync();
        var status = await http.UntilStatusAsync(stale, "parked");

        Assert.Equal("version_mismatch", status["conflict"]!["type"]!.GetValue<string>());
        Assert.Equal(["retry", "overwrite", "resubmit", "discard"], status["actions"]!.AsArray().Select(a => a!.GetValue<string>()));
        var saga = await _app.QueryAsync(db => db.ConflictSagas.AsNoTracking().SingleAsync(s => s.CorrelationId == stale));
        Assert.Equal("Parked", saga.CurrentState);
        Assert.Equal("park", saga.Policy);
    }

    [Fact]
    public async Task Rebase_applies_a_stale_patch_to_the_current_document()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = TestKeys.New("c");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada", ["tier"] = "gold" }));
        await http.AppliedAsync(http.PatchAsync("customers", key, new JsonObject { ["tier"] = "platinum" }));
        var stale = await http.PatchAsync("customers", key, new JsonObject { ["name"] = "Ada L." }, Api.IfMatch(1)).AcceptedAsync();
        await http.UntilStatusAsync(stale, "parked");

        var accepted = await http.ResolveAsync(stale, "rebase");

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal($"/v1/writes/{stale}", accepted.Headers.Location!.ToString());
        var status = await http.UntilStatusAsync(stale, "applied");
        Assert.Equal(3, status["version"]!.GetValue<long>());
        Assert.Equal("rebase", status["resolution"]!["action"]!.GetValue<string>());
        var record = await (await http.GetAsync(Api.RecordPath("customers", key))).JsonAsync();
        Assert.Equal("Ada L.", record["name"]!.GetValue<string>());
        Assert.Equal("platinum", record["tier"]!.GetValue<string>());
    }

    [Fact]
    public async Task Overwrite_applies_a_stale_replace_over_the_version_the_conflict_showed()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = TestKeys.New("c");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada" }));
        var create = await http.PutAsync("customers", key, new JsonObject { ["name"] = "Bob" }, r => r.Headers.TryAddWithoutValidation("If-None-Match", "*")).AcceptedAsync();
        await http.UntilStatusAsync(create, "parked");

        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(create, "overwrite")).StatusCode);

        Assert.Equal(2, (await http.UntilStatusAsync(create, "applied"))["version"]!.GetValue<long>());
        Assert.Equal("Bob", (await (await http.GetAsync(Api.RecordPath("customers", key))).JsonAsync())["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Resubmit_replaces_the_attempt_with_a_corrected_document()
    {
        var (_, http) = await _app.CreateClientAsync();
        var (holder, taker) = (TestKeys.New("c"), TestKeys.New("c"));
        await http.AppliedAsync(http.PutAsync("customers", holder, new JsonObject { ["email"] = $"{holder}@example.com" }));
        var taken = await http.PutAsync("customers", taker, new JsonObject { ["email"] = $"{holder}@example.com" }).AcceptedAsync();
        await http.UntilStatusAsync(taken, "parked");

        var accepted = await http.ResolveAsync(taken, "resubmit", new JsonObject { ["email"] = $"{taker}@example.com" });

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await http.UntilStatusAsync(taken, "applied");
        Assert.Equal($"{taker}@example.com", (await (await http.GetAsync(Api.RecordPath("customers", taker))).JsonAsync())["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_resubmitted_document_that_conflicts_again_is_what_a_later_overwrite_applies()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = TestKeys.New("n");
        await http.AppliedAsync(http.PutAsync("notes", key, new JsonObject { ["text"] = "first" }));
        var stale = await http.PutAsync("notes", key, new JsonObject { ["text"] = "stale" }, Api.IfMatch(7)).AcceptedAsync();
        await http.UntilStatusAsync(stale, "parked");
        // notes continue on conflict: the record moves on, so the resubmit, made against version 1, conflicts again.
        await http.AppliedAsync(http.PutAsync("notes", key, new JsonObject { ["text"] = "moved on" }));

        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(stale, "resubmit", new JsonObject { ["text"] = "corrected" })).StatusCode);
        await Testing.Eventually.UntilAsync(
            async () => await _app.QueryAsync(db => db.ConflictSagas.AnyAsync(s => s.CorrelationId == stale && s.Conflicts == 2 && s.CurrentState == "Parked")),
            "the resubmitted write conflicted again and is parked again");
        var status = await http.UntilStatusAsync(stale, "parked");
        Assert.Equal("corrected", status["conflict"]!["attempted"]!["text"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(stale, "overwrite")).StatusCode);

        Assert.Equal(3, (await http.UntilStatusAsync(stale, "applied"))["version"]!.GetValue<long>());
        Assert.Equal("corrected", (await (await http.GetAsync(Api.RecordPath("notes", key))).JsonAsync())["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Retry_applies_once_the_missing_reference_exists_and_parks_again_while_it_does_not()
    {
        var (_, http) = await _app.CreateClientAsync();
        var (customer, order) = (TestKeys.New("c"), TestKeys.New("o"));
        var dangling = await http.PutAsync("orders", order, new JsonObject { ["customerId"] = customer }).AcceptedAsync();
        await http.UntilStatusAsync(dangling, "parked");

        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(dangling, "retry")).StatusCode);
        await Testing.Eventually.UntilAsync(
            async () => await _app.QueryAsync(db => db.ConflictSagas.AnyAsync(s => s.CorrelationId == dangling && s.Conflicts == 2 && s.CurrentState == "Parked")),
            "the retried write conflicted again and is parked again");

        await http.AppliedAsync(http.PutAsync("customers", customer, new JsonObject { ["name"] = "Ada" }));
        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(dangling, "retry")).StatusCode);
        await http.UntilStatusAsync(dangling, "applied");
    }

    [Fact]
    public async Task Discard_needs_a_reason_and_keeps_it()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = TestKeys.New("c");
        var missing = await http.PatchAsync("customers", key, new JsonObject { ["name"] = "x" }).AcceptedAsync();
        await http.UntilStatusAsync(missing, "parked");

        await Api.AssertProblemAsync(await http.ResolveAsync(missing, "discard"), HttpStatusCode.BadRequest, "invalid-resolution");
        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(missing, "discard", reason: "customer closed the form")).StatusCode);

        var status = await http.UntilStatusAsync(missing, "discarded");
        Assert.Equal("customer closed the form", status["resolution"]!["reason"]!.GetValue<string>());
        Assert.Empty(status["actions"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(Api.RecordPath("customers", key))).StatusCode);
    }

    [Fact]
    public async Task Decisions_that_make_no_sense_for_the_write_or_its_state_are_refused_with_409()
    {
        var (_, http) = await _app.CreateClientAsync();
        var (holder, taker, gone) = (TestKeys.New("c"), TestKeys.New("c"), TestKeys.New("c"));
        await http.AppliedAsync(http.PutAsync("customers", holder, new JsonObject { ["email"] = $"{holder}@example.com" }));
        var unique = await http.PutAsync("customers", taker, new JsonObject { ["email"] = $"{holder}@example.com" }).AcceptedAsync();
        var delete = await http.DeleteAsync("customers", gone).AcceptedAsync();
        await http.UntilStatusAsync(unique, "parked");
        await http.UntilStatusAsync(delete, "parked");
        var applied = await http.PutAsync("customers", TestKeys.New("c"), new JsonObject()).AcceptedAsync();
        await http.UntilStatusAsync(applied, "applied");

        await Api.AssertProblemAsync(await http.ResolveAsync(unique, "rebase"), HttpStatusCode.Conflict, "resolution-not-allowed");
        await Api.AssertProblemAsync(await http.ResolveAsync(unique, "overwrite"), HttpStatusCode.Conflict, "resolution-not-allowed");
        await Api.AssertProblemAsync(await http.ResolveAsync(delete, "resubmit", new JsonObject()), HttpStatusCode.Conflict, "resolution-not-allowed");
        await Api.AssertProblemAsync(await http.ResolveAsync(applied, "retry"), HttpStatusCode.Conflict, "resolution-not-allowed");
        await Api.AssertProblemAsync(await http.ResolveAsync(unique, "resubmit"), HttpStatusCode.BadRequest, "invalid-resolution");
        await Api.AssertProblemAsync(await http.ResolveAsync(unique, "merge"), HttpStatusCode.BadRequest, "invalid-resolution");
        await Api.AssertProblemAsync(await http.ResolveAsync(Guid.NewGuid(), "retry"), HttpStatusCode.NotFound, "write-not-found");

        // Once one decision is taken, a second one is refused (resolving, then discarded).
        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(delete, "discard", reason: "gone anyway")).StatusCode);
        await Api.AssertProblemAsync(await http.ResolveAsync(delete, "retry"), HttpStatusCode.Conflict, "resolution-not-allowed");
        await http.UntilStatusAsync(delete, "discarded");
        await Api.AssertProblemAsync(await http.ResolveAsync(delete, "retry"), HttpStatusCode.Conflict, "resolution-not-allowed");
    }

    [Fact]
    public async Task Concurrent_decisions_about_one_write_take_exactly_one()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = TestKeys.New("c");
        var missing = await http.PatchAsync("customers", key, new JsonObject { ["name"] = "x" }).AcceptedAsync();
        await http.UntilStatusAsync(missing, "parked");

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => http.ResolveAsync(missing, "discard", reason: $"decision {i}")));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Accepted);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.Accepted), a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));
        await http.UntilStatusAsync(missing, "discarded");
    }

    [Fact]
    public async Task Writes_behind_a_conflict_are_held_and_applied_in_order_after_it_before_newer_writes()
    {
        var (_, http) = await _app.CreateClientAsync();
        var map = _app.Services.GetRequiredService<PartitionMap>();
        var key = TestKeys.New("c");
        var neighbour = TestKeys.Where(map, "customers", "c", p => p == map.PartitionOf("customers", key));
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["seq"] = 0 }));

        var blocker = await http.PutAsync("customers", key, new JsonObject { ["seq"] = -1 }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(blocker, "parked");
        var held = new List<Guid>();
        for (var seq = 1; seq <= 3; seq++)
        {
            held.Add(await http.PatchAsync("customers", key, new JsonObject { ["seq"] = seq }).AcceptedAsync());
        }

        foreach (var id in held)
        {
            var status = await http.UntilStatusAsync(id, "held");
            Assert.Equal(blocker, status["heldBehind"]!["writeId"]!.GetValue<Guid>());
        }

        // The partition is not blocked: another key on it is applied meanwhile.
        await http.AppliedAsync(http.PutAsync("customers", neighbour, new JsonObject { ["seq"] = 1 }));

        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(blocker, "discard", reason: "stale")).StatusCode);
        var newer = await http.PatchAsync("customers", key, new JsonObject { ["seq"] = 4 }).AcceptedAsync();
        await http.UntilStatusAsync(newer, "applied");

        var history = await _app.QueryAsync(db => db.RecordVersions.AsNoTracking().Where(v => v.Collection == "customers" && v.Key == key).OrderBy(v => v.Version).ToListAsync());
        Assert.Equal([Guid.Empty, .. held, newer], history.Select((v, i) => i == 0 ? Guid.Empty : v.WriteId));
        Assert.Equal(4, JsonNode.Parse(history[^1].Document!)!["seq"]!.GetValue<int>());
        Assert.Equal("discarded", (await http.UntilStatusAsync(blocker, "discarded"))["status"]!.GetValue<string>());
        // Lifted when the release finds nothing more held: just after the last released write commits.
        await Eventually.UntilAsync(
            async () => !await _app.QueryAsync(db => db.KeyHolds.AnyAsync(h => h.Collection == "customers" && h.Key == key)),
            "the key hold to be lifted once nothing waits behind it");
    }

    [Fact]
    public async Task A_held_write_that_conflicts_when_released_holds_the_rest_behind_it()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = TestKeys.New("c");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["seq"] = 0 }));
        var blocker = await http.PutAsync("customers", key, new JsonObject { ["seq"] = -1 }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(blocker, "parked");
        var alsoStale = await http.PutAsync("customers", key, new JsonObject { ["seq"] = -2 }, Api.IfMatch(9)).AcceptedAsync();
        var last = await http.PatchAsync("customers", key, new JsonObject { ["seq"] = 3 }).AcceptedAsync();
        await http.UntilStatusAsync(last, "held");

        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(blocker, "discard", reason: "stale")).StatusCode);

        await http.UntilStatusAsync(alsoStale, "parked");
        var stillHeld = await http.UntilStatusAsync(last, "held");
        Assert.Equal(alsoStale, stillHeld["heldBehind"]!["writeId"]!.GetValue<Guid>());

        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(alsoStale, "overwrite")).StatusCode);
        await http.UntilStatusAsync(last, "applied");
        var record = await (await http.GetAsync(Api.RecordPath("customers", key))).JsonAsync();
        Assert.Equal(3, record["seq"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_collection_that_continues_applies_later_writes_past_a_conflict()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = TestKeys.New("n");
        await http.AppliedAsync(http.PutAsync("notes", key, new JsonObject { ["text"] = "a" }));
        var stale = await http.PutAsync("notes", key, new JsonObject { ["text"] = "b" }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(stale, "parked");

        await http.AppliedAsync(http.PutAsync("notes", key, new JsonObject { ["text"] = "c" }));

        Assert.False(await _app.QueryAsync(db => db.KeyHolds.AnyAsync(h => h.Collection == "notes" && h.Key == key)));
    }
}
