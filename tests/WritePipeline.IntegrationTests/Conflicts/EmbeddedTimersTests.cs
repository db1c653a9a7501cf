using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Conflicts;

/// <summary>The embedded mode (in-memory transport, SQLite) runs the conflict saga and its Quartz timers in one process.</summary>
public sealed class EmbeddedTimersTests(EmbeddedSqliteFixture fixture) : IClassFixture<EmbeddedSqliteFixture>
{
    [Fact]
    public async Task A_notified_conflict_sets_its_timers_without_locking_the_database()
    {
        // The README's path: a webhook endpoint subscribed to conflicts, then a stale patch. The saga sets the decision
        // deadline and the first delivery attempt (Quartz) while it notifies; on one SQLite file the two writers
        // waited for each other until "database is locked" and the write stayed "conflicted".
        var (_, http) = await fixture.App.CreateClientAsync();
        var endpoint = await http.PostAsJsonAsync("/v1/webhooks", new { url = "https://hooks.example.com/writes", events = new[] { "write.conflicted" } });
        Assert.Equal(HttpStatusCode.Created, endpoint.StatusCode);
        var key = TestKeys.New("timers");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada" }));
        await http.AppliedAsync(http.PatchAsync("customers", key, new JsonObject { ["tier"] = "silver" }));

        var stale = await http.PatchAsync("customers", key, new JsonObject { ["tier"] = "gold" }, Api.IfMatch(1)).AcceptedAsync();

        await http.UntilStatusAsync(stale, "notified").WaitAsync(TimeSpan.FromSeconds(20));
    }
}
