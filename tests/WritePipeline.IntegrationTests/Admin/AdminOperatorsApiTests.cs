using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace WritePipeline.IntegrationTests.Admin;

/// <summary>Admins manage operators through the admin API; everyone else is refused; there is always an admin left.</summary>
public sealed class AdminOperatorsApiTests(RabbitMqPostgresFixture fixture) : IClassFixture<RabbitMqPostgresFixture>
{
    [Fact]
    public async Task An_admin_creates_an_operator_whose_token_works_until_its_credentials_are_reset_and_then_removes_it()
    {
        var admin = await fixture.App.CreateOperatorAsync("admin");
        var name = TestKeys.New("op");

        var created = await admin.PostAsJsonAsync("/v1/admin/operators", new { name, role = "operator" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.JsonAsync();
        var id = body["operator"]!["id"]!.GetValue<Guid>();
        var token = body["token"]!.GetValue<string>();
        Assert.StartsWith("wpo_", token, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(body["password"]!.GetValue<string>()));
        using var asNew = WithToken(token);
        Assert.Equal(HttpStatusCode.OK, (await asNew.GetAsync("/v1/admin/writes/groups")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asNew.GetAsync("/v1/admin/operators")).StatusCode);

        var listed = await (await admin.GetAsync("/v1/admin/operators")).Content.ReadAsStringAsync();
        Assert.Contains(name, listed, StringComparison.Ordinal);
        Assert.DoesNotContain("passwordHash", listed, StringComparison.OrdinalIgnoreCase);

        var reset = await admin.PostAsync($"/v1/admin/operators/{id}/credentials", null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        using var asReset = WithToken((await reset.JsonAsync())["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await asNew.GetAsync("/v1/admin/writes/groups")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await asReset.GetAsync("/v1/admin/writes/groups")).StatusCode);

        var promoted = await admin.PatchAsJsonAsync($"/v1/admin/operators/{id}", new { role = "admin" });
        Assert.Equal("admin", (await promoted.JsonAsync())["role"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await asReset.GetAsync("/v1/admin/operators")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/admin/operators/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await asReset.GetAsync("/v1/admin/writes/groups")).StatusCode);

        var audit = await (await admin.GetAsync("/v1/admin/audit?action=operator.")).Content.ReadAsStringAsync();
        foreach (var action in new[] { "operator.create", "operator.credentials", "operator.role", "operator.remove" })
        {
            Assert.Contains(action, audit, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bad_names_roles_and_ids_are_problems()
    {
        var admin = await fixture.App.CreateOperatorAsync("admin");
        var name = TestKeys.New("dup");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/v1/admin/operators", new { name, role = "viewer" })).StatusCode);

        await Api.AssertProblemAsync(await admin.PostAsJsonAsync("/v1/admin/operators", new { name, role = "viewer" }), HttpStatusCode.BadRequest, "invalid-operator");
        await Api.AssertProblemAsync(await admin.PostAsJsonAsync("/v1/admin/operators", new { name = "has space", role = "viewer" }), HttpStatusCode.BadRequest, "invalid-operator");
        await Api.AssertProblemAsync(await admin.PostAsJsonAsync("/v1/admin/operators", new { name = TestKeys.New("x"), role = "root" }), HttpStatusCode.BadRequest, "invalid-operator");
        await Api.AssertProblemAsync(await admin.PatchAsJsonAsync($"/v1/admin/operators/{Guid.NewGuid()}", new { role = "viewer" }), HttpStatusCode.NotFound, "operator-not-found");
        await Api.AssertProblemAsync(await admin.DeleteAsync($"/v1/admin/operators/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "operator-not-found");
    }

    [Theory]
    [InlineData("viewer")]
    [InlineData("operator")]
    public async Task Only_admins_manage_operators(string role)
    {
        var http = await fixture.App.CreateOperatorAsync(role);
        await Api.AssertProblemAsync(await http.GetAsync("/v1/admin/operators"), HttpStatusCode.Forbidden, "forbidden");
        await Api.AssertProblemAsync(await http.PostAsJsonAsync("/v1/admin/operators", new { name = TestKeys.New("x"), role = "admin" }), HttpStatusCode.Forbidden, "forbidden");
        var (_, client) = await fixture.App.CreateClientAsync();
        await Api.AssertProblemAsync(await client.GetAsync("/v1/admin/operators"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task The_last_admin_can_be_neither_demoted_nor_removed()
    {
        // A fresh embedded app: its only admin is the Development operator.
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite));
        using var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wpo_dev_quickstart");
        var self = (await (await admin.GetAsync("/v1/admin/operators")).JsonArrayAsync()).Single()!["id"]!.GetValue<Guid>();

        await Api.AssertProblemAsync(await admin.PatchAsJsonAsync($"/v1/admin/operators/{self}", new { role = "operator" }), HttpStatusCode.Conflict, "operator-change-refused");
        await Api.AssertProblemAsync(await admin.DeleteAsync($"/v1/admin/operators/{self}"), HttpStatusCode.Conflict, "operator-change-refused");

        // With a second admin, the first may step down.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/v1/admin/operators", new { name = "second-admin", role = "admin" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsJsonAsync($"/v1/admin/operators/{self}", new { role = "operator" })).StatusCode);
    }

    HttpClient WithToken(string token)
    {
        var http = fixture.App.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
