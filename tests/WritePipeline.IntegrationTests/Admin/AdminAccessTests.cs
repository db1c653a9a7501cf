using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Admin;

/// <summary>Who may use the admin API: viewers read, operators and admins also act, anyone else is refused.</summary>
public abstract class AdminAccessTests(AdminActionsFixture fixture) : AdminActionsTest(fixture)
{
    // ---- 1. Who may do what ----

    /// <summary>Every new admin endpoint; {write} and {bulk} are filled in with a parked write and a bulk action.</summary>
    static readonly (string Method, string Path, HttpStatusCode Operator)[] Endpoints =
    [
        ("GET", "/v1/admin/writes", HttpStatusCode.OK),
        ("GET", "/v1/admin/writes/export", HttpStatusCode.OK),
        ("GET", "/v1/admin/writes/groups", HttpStatusCode.OK),
        ("GET", "/v1/admin/writes/{write}", HttpStatusCode.OK),
        ("GET", "/v1/admin/writes/{write}/details", HttpStatusCode.OK),
        ("GET", "/v1/admin/bulk-actions", HttpStatusCode.OK),
        ("GET", "/v1/admin/bulk-actions/{bulk}", HttpStatusCode.OK),
        ("GET", "/v1/admin/archive", HttpStatusCode.OK),
        ("GET", "/v1/admin/blocked-keys", HttpStatusCode.OK),
        ("GET", "/v1/admin/audit", HttpStatusCode.OK),
        ("GET", "/v1/admin/audit/export", HttpStatusCode.OK),
        // Operators pass authorization and reach the action, which refuses these bodies without changing anything.
        ("POST", "/v1/admin/writes/{write}/resolution", HttpStatusCode.BadRequest),
        ("POST", "/v1/admin/writes/{write}/restore", HttpStatusCode.Conflict),
        ("POST", "/v1/admin/bulk-actions", HttpStatusCode.BadRequest),
    ];

    [Fact]
    public async Task Viewers_read_every_admin_endpoint_operators_also_act_and_anyone_else_is_refused()
    {
        var (_, client) = await App.CreateClientAsync();
        var parked = await ParkedAsync(client, TestKeys.New("auth"));
        var (_, @operator) = await OperatorAsync();
        var bulk = await @operator.PostAsJsonAsync("/v1/admin/bulk-actions", new { action = "retry", writeIds = new[] { Guid.NewGuid() } });
        Assert.Equal(HttpStatusCode.Accepted, bulk.StatusCode);
        var bulkId = (await bulk.JsonAsync())["id"]!.GetValue<Guid>();
        var callers = new (string Name, HttpClient Http, Func<string, HttpStatusCode, HttpStatusCode> Expected)[]
        {
            ("anonymous", App.CreateClient(), (_, _) => HttpStatusCode.Unauthorized),
            ("API client key", client, (_, _) => HttpStatusCode.Unauthorized),
            ("viewer", await App.CreateOperatorAsync("viewer"), (method, _) => method == "GET" ? HttpStatusCode.OK : HttpStatusCode.Forbidden),
            ("operator", @operator, (_, acting) => acting),
            ("admin", await App.CreateOperatorAsync("admin"), (_, acting) => acting),
        };

        var wrong = new List<string>();
        foreach (var (name, http, expected) in callers)
        {
            foreach (var (method, template, acting) in Endpoints)
            {
                var path = template.Replace("{write}", parked.ToString(), StringComparison.Ordinal).Replace("{bulk}", bulkId.ToString(), StringComparison.Ordinal);
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method == "POST")
                {
                    // Invalid on purpose (no reason to discard, no action): nothing is done even when allowed.
                    request.Content = JsonContent.Create(new JsonObject { ["action"] = path.EndsWith("/resolution", StringComparison.Ordinal) ? "discard" : null });
                }

                var response = await http.SendAsync(request);
                var want = expected(method, acting);
                if (response.StatusCode != want)
                {
                    wrong.Add($"{name} {method} {template}: {(int)response.StatusCode}, expected {(int)want}");
                }
                else if (want is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    await Api.AssertProblemAsync(response, want, want == HttpStatusCode.Unauthorized ? "unauthorized" : "forbidden");
                }
            }
        }

        Assert.Empty(wrong);
        Assert.Equal("parked", Text(await GetJsonAsync(@operator, AdminWrites + parked), "status"));
    }
}

[Collection(AdminActionsPostgres.Name)]
public sealed class PostgresAdminAccessTests(AdminActionsPostgresFixture fixture) : AdminAccessTests(fixture);

[Collection(AdminActionsSqlite.Name)]
public sealed class EmbeddedSqliteAdminAccessTests(AdminActionsSqliteFixture fixture) : AdminAccessTests(fixture);
