using System.Net;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Writes;

/// <summary>Prefer: wait=N (RFC 7240) on submissions: the outcome instead of a receipt, when it comes in time.</summary>
public sealed class PreferWaitTests(RabbitMqPostgresFixture fixture) : IClassFixture<RabbitMqPostgresFixture>
{
    readonly PipelineApp _app = fixture.App;

    static Action<HttpRequestMessage> Wait(int seconds, Action<HttpRequestMessage>? more = null) => r =>
    {
        r.Headers.TryAddWithoutValidation("Prefer", $"wait={seconds}");
        more?.Invoke(r);
    };

    [Fact]
    public async Task An_applied_write_answers_with_the_record_it_produced()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = TestKeys.New("c");

        var created = await http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada" }, Wait(10));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("wait=10", string.Join(",", created.Headers.GetValues("Preference-Applied")));
        Assert.Equal("\"1\"", created.Headers.ETag!.Tag);
        Assert.Equal(Api.RecordPath("customers", key), created.Headers.Location!.ToString());
        Assert.Equal("Ada", (await created.JsonAsync())["name"]!.GetValue<string>());

        var replaced = await http.PatchAsync("customers", key, new JsonObject { ["tier"] = "gold" }, Wait(10));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("\"2\"", replaced.Headers.ETag!.Tag);
        Assert.Equal("gold", (await replaced.JsonAsync())["tier"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("customers", key, Wait(10))).StatusCode);
    }

    [Fact]
    public async Task A_conflicted_write_answers_412_or_409_with_the_conflict()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = TestKeys.New("c");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada" }));

        var stale = await http.PutAsync("customers", key, new JsonObject { ["name"] = "Bob" }, Wait(10, Api.IfMatch(5)));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        var problem = await stale.JsonAsync();
        Assert.Equal(Problems.ProblemCatalog.TypeOf("version_mismatch"), problem.ProblemType());
        Assert.Equal(1, problem["conflict"]!["current"]!["version"]!.GetValue<long>());
        Assert.NotNull(problem["writeId"]);

        var missing = await http.PatchAsync("customers", TestKeys.New("c"), new JsonObject { ["x"] = 1 }, Wait(10));
        Assert.Equal(HttpStatusCode.Conflict, missing.StatusCode);
        Assert.Equal(Problems.ProblemCatalog.TypeOf("not_found"), (await missing.JsonAsync()).ProblemType());
    }

    [Fact]
    public async Task When_time_runs_out_the_answer_is_the_usual_202_and_long_waits_are_capped()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = TestKeys.New("c");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["v"] = 1 }));
        var blocker = await http.PutAsync("customers", key, new JsonObject { ["v"] = 2 }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(blocker, "parked");

        // Held behind the conflict: no outcome within the second it waits.
        var held = await http.PatchAsync("customers", key, new JsonObject { ["v"] = 3 }, Wait(1));
        Assert.Equal(HttpStatusCode.Accepted, held.StatusCode);
        Assert.Equal("wait=1", string.Join(",", held.Headers.GetValues("Preference-Applied")));

        var capped = await http.PutAsync("customers", TestKeys.New("c"), new JsonObject(), Wait(9999));
        Assert.Equal("wait=30", string.Join(",", capped.Headers.GetValues("Preference-Applied")));
    }
}
