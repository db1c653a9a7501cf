using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Admin;

/// <summary>Keys held behind a conflict, as the blocked-keys list shows them until the conflict is resolved.</summary>
public abstract class BlockedKeysTests(AdminActionsFixture fixture) : AdminActionsTest(fixture)
{
    [Fact]
    public async Task A_key_held_behind_a_conflict_is_listed_as_blocked_until_the_conflict_is_resolved()
    {
        var (_, http) = await App.CreateClientAsync();
        var key = TestKeys.New("blk");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["seq"] = 0 }));
        var blocker = await http.PutAsync("customers", key, new JsonObject { ["seq"] = -1 }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(blocker, "parked");
        var held = new List<Guid>();
        for (var seq = 1; seq <= 2; seq++)
        {
            held.Add(await http.PatchAsync("customers", key, new JsonObject { ["seq"] = seq }).AcceptedAsync());
        }

        foreach (var id in held)
        {
            await http.UntilStatusAsync(id, "held");
        }

        var (_, @operator) = await OperatorAsync();

        var blocked = (await @operator.GetFromJsonAsync<JsonArray>("/v1/admin/blocked-keys?collection=customers"))!;

        var entry = Assert.Single(blocked, b => Text(b, "key") == key)!;
        Assert.Equal(("customers", blocker, "parked", 2), (Text(entry, "collection"), entry["blockingWriteId"]!.GetValue<Guid>(), Text(entry, "blockingStatus"), entry["waiting"]!.GetValue<int>()));
        Assert.DoesNotContain((await @operator.GetFromJsonAsync<JsonArray>("/v1/admin/blocked-keys?collection=orders"))!, b => Text(b, "key") == key);

        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, blocker, "overwrite")).StatusCode);

        await Eventually.UntilAsync(
            async () => !(await @operator.GetFromJsonAsync<JsonArray>("/v1/admin/blocked-keys"))!.Any(b => Text(b, "key") == key),
            $"{key} is no longer blocked");
        foreach (var id in held)
        {
            await http.UntilStatusAsync(id, "applied");
        }

        Assert.Equal(2, (await (await http.GetAsync(Api.RecordPath("customers", key))).JsonAsync())["seq"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_restored_write_that_conflicts_again_does_not_take_the_key_from_the_write_blocking_it()
    {
        var (_, http) = await App.CreateClientAsync();
        var (_, @operator) = await OperatorAsync();
        var key = TestKeys.New("rst");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["seq"] = 0 }));
        var first = await http.PutAsync("customers", key, new JsonObject { ["seq"] = -1 }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(first, "parked");
        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, first, "discard", reason: "stale")).StatusCode);
        await http.UntilStatusAsync(first, "discarded");

        // A later conflict now blocks the key, with a write held behind it.
        var blocker = await http.PutAsync("customers", key, new JsonObject { ["seq"] = -2 }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(blocker, "parked");
        var held = await http.PatchAsync("customers", key, new JsonObject { ["seq"] = 1 }).AcceptedAsync();
        await http.UntilStatusAsync(held, "held");

        // The first write comes back from the archive and conflicts again when retried.
        Assert.Equal(HttpStatusCode.Accepted, (await RestoreAsync(@operator, first)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, first, "retry")).StatusCode);
        await http.UntilStatusAsync(first, "parked");

        var entry = Assert.Single((await @operator.GetFromJsonAsync<JsonArray>("/v1/admin/blocked-keys?collection=customers"))!, b => Text(b, "key") == key)!;
        Assert.Equal(blocker, entry["blockingWriteId"]!.GetValue<Guid>());
        // Giving the restored write up again releases nothing: the key still waits for its blocker's decision.
        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, first, "discard", reason: "still stale")).StatusCode);
        await http.UntilStatusAsync(first, "discarded");
        var heldStatus = await (await http.GetAsync($"/v1/writes/{held}")).JsonAsync();
        Assert.Equal(("held", blocker), (Text(heldStatus, "status"), heldStatus["heldBehind"]!["writeId"]!.GetValue<Guid>()));

        Assert.Equal(HttpStatusCode.Accepted, (await DecideAsync(@operator, blocker, "overwrite")).StatusCode);
        await http.UntilStatusAsync(held, "applied");
        Assert.Equal(1, (await (await http.GetAsync(Api.RecordPath("customers", key))).JsonAsync())["seq"]!.GetValue<int>());
    }
}

[Collection(AdminActionsPostgres.Name)]
public sealed class PostgresBlockedKeysTests(AdminActionsPostgresFixture fixture) : BlockedKeysTests(fixture);

[Collection(AdminActionsSqlite.Name)]
public sealed class EmbeddedSqliteBlockedKeysTests(AdminActionsSqliteFixture fixture) : BlockedKeysTests(fixture);
