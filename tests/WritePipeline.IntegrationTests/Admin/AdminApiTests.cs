using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Admin;

/// <summary>The operators' admin API over waiting writes, and who may use it (PostgreSQL, and SQLite for its date queries).</summary>
public abstract class AdminApiTests(PipelineAppFixture fixture)
{
    readonly PipelineApp _app = fixture.App;

    /// <summary>A parked write of a fresh client (a patch of a record that does not exist), in a collection of its own key.</summary>
    async Task<(Guid ClientId, Guid WriteId, string Key)> ParkedAsync()
    {
        var (clientId, http) = await _app.CreateClientAsync();
        var key = TestKeys.New("adm");
        var writeId = await http.PatchAsync("customers", key, new JsonObject { ["note"] = "findme-" + key }).AcceptedAsync();
        await http.UntilStatusAsync(writeId, "parked");
        return (clientId, writeId, key);
    }

    [Fact]
    public async Task A_viewer_finds_parked_writes_by_filter_and_text_and_reads_one_with_its_conflict()
    {
        var (clientId, writeId, key) = await ParkedAsync();
        var viewer = await _app.CreateOperatorAsync("viewer");

        var byClient = await (await viewer.GetAsync($"/v1/admin/writes?client={clientId}&olderThanMinutes=0")).JsonAsync();
        var item = Assert.Single(byClient["items"]!.AsArray())!;
        Assert.Equal(writeId, item["writeId"]!.GetValue<Guid>());
        Assert.Equal("not_found", item["kind"]!.GetValue<string>());
        Assert.Equal(1, byClient["total"]!.GetValue<int>());

        var byText = await (await viewer.GetAsync($"/v1/admin/writes?q=findme-{key}")).JsonAsync();
        Assert.Equal(writeId, Assert.Single(byText["items"]!.AsArray())!["writeId"]!.GetValue<Guid>());
        var none = await (await viewer.GetAsync($"/v1/admin/writes?client={clientId}&kind=unique_violation")).JsonAsync();
        Assert.Empty(none["items"]!.AsArray());

        var groups = await (await viewer.GetAsync("/v1/admin/writes/groups")).Content.ReadFromJsonAsync<JsonArray>();
        Assert.Contains(groups!, g => g!["collection"]!.GetValue<string>() == "customers" && g["kind"]!.GetValue<string>() == "not_found" && g["count"]!.GetValue<int>() >= 1);

        var one = await (await viewer.GetAsync($"/v1/admin/writes/{writeId}")).JsonAsync();
        Assert.Equal("parked", one["status"]!.GetValue<string>());
        Assert.Equal("not_found", one["conflict"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_operator_resolves_any_clients_write_and_the_decision_names_them_but_a_viewer_cannot()
    {
        var (_, writeId, _) = await ParkedAsync();
        var viewer = await _app.CreateOperatorAsync("viewer");
        var @operator = await _app.CreateOperatorAsync("operator");

        var refused = await viewer.PostAsJsonAsync($"/v1/admin/writes/{writeId}/resolution", new { action = "discard", reason = "viewer tries" });
        await Api.AssertProblemAsync(refused, HttpStatusCode.Forbidden, "forbidden");

        var taken = await @operator.PostAsJsonAsync($"/v1/admin/writes/{writeId}/resolution", new { action = "discard", reason = "duplicate order" });
        Assert.Equal(HttpStatusCode.Accepted, taken.StatusCode);
        var status = await @operator.UntilStatusAtAsync("/v1/admin/writes/", writeId, "discarded");
        Assert.StartsWith("operator:", status["resolution"]!["by"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("duplicate order", status["resolution"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Api_client_keys_open_no_admin_endpoint_and_operator_tokens_open_no_client_endpoint()
    {
        var (_, writeId, _) = await ParkedAsync();
        var (_, client) = await _app.CreateClientAsync();
        var admin = await _app.CreateOperatorAsync("admin");

        await Api.AssertProblemAsync(await client.GetAsync("/v1/admin/writes"), HttpStatusCode.Unauthorized, "unauthorized");
        await Api.AssertProblemAsync(await client.PostAsJsonAsync($"/v1/admin/writes/{writeId}/resolution", new { action = "retry" }), HttpStatusCode.Unauthorized, "unauthorized");
        await Api.AssertProblemAsync(await _app.CreateClient().GetAsync("/v1/admin/writes/groups"), HttpStatusCode.Unauthorized, "unauthorized");
        await Api.AssertProblemAsync(await admin.GetAsync($"/v1/writes/{writeId}"), HttpStatusCode.Unauthorized, "unauthorized");
        await Api.AssertProblemAsync(await admin.PutAsync("customers", TestKeys.New("c"), new JsonObject()), HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/admin/writes")).StatusCode);
    }
}

public sealed class PostgresAdminApiTests(RabbitMqPostgresFixture fixture) : AdminApiTests(fixture), IClassFixture<RabbitMqPostgresFixture>;

public sealed class EmbeddedSqliteAdminApiTests(EmbeddedSqliteFixture fixture) : AdminApiTests(fixture), IClassFixture<EmbeddedSqliteFixture>;
