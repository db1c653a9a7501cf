using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Clients;

/// <summary>
/// What a client's status resource shows of others: that an operator decided, never which one; whether the write it
/// waits behind is its own, never another client's write id. Operators see both.
/// </summary>
public sealed class ClientViewTests(EmbeddedSqliteFixture fixture) : IClassFixture<EmbeddedSqliteFixture>
{
    readonly PipelineApp _app = fixture.App;

    [Fact]
    public async Task A_write_held_behind_another_clients_write_is_told_only_that_it_is_not_its_own()
    {
        var (_, first) = await _app.CreateClientAsync("first");
        var (_, second) = await _app.CreateClientAsync("second");
        var admin = await _app.CreateOperatorAsync("operator");
        var (key, blocker) = await ParkedAsync(first);

        var othersWrite = await second.PatchAsync("customers", key, new JsonObject { ["w"] = 1 }).AcceptedAsync();
        var ownWrite = await first.PatchAsync("customers", key, new JsonObject { ["v"] = 3 }).AcceptedAsync();

        var seenByOther = await second.UntilStatusAsync(othersWrite, "held");
        Assert.False(seenByOther["heldBehind"]!["own"]!.GetValue<bool>());
        Assert.Null(seenByOther["heldBehind"]!["writeId"]);
        var raw = await second.GetStringAsync($"/v1/writes/{othersWrite}");
        Assert.DoesNotContain(blocker.ToString(), raw, StringComparison.OrdinalIgnoreCase);

        var seenByOwner = await first.UntilStatusAsync(ownWrite, "held");
        Assert.True(seenByOwner["heldBehind"]!["own"]!.GetValue<bool>());
        Assert.Equal(blocker, seenByOwner["heldBehind"]!["writeId"]!.GetValue<Guid>());

        // Operators see every write id.
        var seenByOperator = await (await admin.GetAsync($"/v1/admin/writes/{othersWrite}")).JsonAsync();
        Assert.False(seenByOperator["heldBehind"]!["own"]!.GetValue<bool>());
        Assert.Equal(blocker, seenByOperator["heldBehind"]!["writeId"]!.GetValue<Guid>());

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsJsonAsync($"/v1/admin/writes/{blocker}/resolution", new { action = "discard", reason = "stale" })).StatusCode);
        await second.UntilStatusAsync(othersWrite, "applied");
    }

    [Fact]
    public async Task A_clients_status_says_an_operator_decided_without_naming_them()
    {
        var (_, http) = await _app.CreateClientAsync();
        var admin = await _app.CreateOperatorAsync("operator");
        var (_, writeId) = await ParkedAsync(http);

        var taken = await admin.PostAsJsonAsync($"/v1/admin/writes/{writeId}/resolution", new { action = "discard", reason = "duplicate" });

        Assert.Equal(HttpStatusCode.Accepted, taken.StatusCode);
        var byOperator = (await admin.UntilStatusAtAsync("/v1/admin/writes/", writeId, "discarded"))["resolution"]!["by"]!.GetValue<string>();
        Assert.StartsWith("operator:", byOperator, StringComparison.Ordinal);
        var seenByClient = await http.UntilStatusAsync(writeId, "discarded");
        Assert.Equal(("operator", "duplicate"), (seenByClient["resolution"]!["by"]!.GetValue<string>(), seenByClient["resolution"]!["reason"]!.GetValue<string>()));
        var operatorName = byOperator["operator:".Length..];
        Assert.DoesNotContain(operatorName, await http.GetStringAsync($"/v1/writes/{writeId}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_deciding_itself_is_answered_with_its_own_view()
    {
        var (clientId, http) = await _app.CreateClientAsync();
        var (_, writeId) = await ParkedAsync(http);

        var taken = await http.ResolveAsync(writeId, "discard", reason: "mine");

        Assert.Equal(HttpStatusCode.Accepted, taken.StatusCode);
        var decided = await http.UntilStatusAsync(writeId, "discarded");
        Assert.Equal("client:" + clientId, decided["resolution"]!["by"]!.GetValue<string>());
    }

    /// <summary>A write to a new record of customers that conflicted (a stale If-Match) and is parked; it holds its key.</summary>
    static async Task<(string Key, Guid WriteId)> ParkedAsync(HttpClient http)
    {
        var key = TestKeys.New("c");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["v"] = 1 }));
        var writeId = await http.PutAsync("customers", key, new JsonObject { ["v"] = 2 }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(writeId, "parked");
        return (key, writeId);
    }
}
