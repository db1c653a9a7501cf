using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Clients;

/// <summary>
/// A client reads and writes only the collections it is granted (<c>collection:r</c>, <c>:w</c>, <c>:rw</c>, <c>*</c>):
/// anything else is 403 <c>forbidden</c> naming the grant; an admin's change of grants is in force at the next request
/// and audited.
/// </summary>
public sealed class ClientGrantsTests
{
    [Fact]
    public async Task A_read_only_client_reads_and_a_client_without_grants_does_nothing()
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite));
        var (_, writer) = await app.CreateClientAsync("writer");
        var (readerId, reader) = await app.CreateClientAsync("reader", Grants("customers:r"));
        var (_, nobody) = await app.CreateClientAsync("nobody", CollectionGrants.None);
        await writer.AppliedAsync(writer.PutAsync("customers", "c1", new JsonObject { ["name"] = "Ada" }));

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(Api.RecordPath("customers", "c1"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(Api.RecordPath("customers", "c1") + "/history")).StatusCode);
        var refused = await Api.AssertProblemAsync(await reader.PutAsync("customers", "c1", new JsonObject { ["name"] = "Eve" }), HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("no 'w' grant on 'customers' (grants: customers:r)", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await Api.AssertProblemAsync(await reader.PatchAsync("customers", "c1", new JsonObject { ["name"] = "Eve" }), HttpStatusCode.Forbidden, "forbidden");
        await Api.AssertProblemAsync(await reader.DeleteAsync("customers", "c1"), HttpStatusCode.Forbidden, "forbidden");
        await Api.AssertProblemAsync(await reader.GetAsync(Api.RecordPath("orders", "o1")), HttpStatusCode.Forbidden, "forbidden");

        await Api.AssertProblemAsync(await nobody.GetAsync(Api.RecordPath("customers", "c1")), HttpStatusCode.Forbidden, "forbidden");
        await Api.AssertProblemAsync(await nobody.PutAsync("customers", "c2", new JsonObject()), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(0, await app.QueryAsync(db => Task.FromResult(db.Writes.Count(w => w.ClientId == readerId))));

        // The admin's change applies at the reader's next request; it is audited with before and after.
        var admin = await app.CreateOperatorAsync("admin");
        var changed = await admin.PutAsJsonAsync($"/v1/admin/clients/{readerId}/grants", new { grants = new[] { "customers:rw" } });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("""["customers:rw"]""", (await changed.JsonAsync())["grants"]!.ToJsonString());
        await reader.AppliedAsync(reader.PutAsync("customers", "c1", new JsonObject { ["name"] = "Eve" }));
        await Api.AssertProblemAsync(await admin.PutAsJsonAsync($"/v1/admin/clients/{readerId}/grants", new { grants = new[] { "customers:x" } }), HttpStatusCode.BadRequest, "invalid-grants");
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.CreateOperatorAsync("operator")).PutAsJsonAsync($"/v1/admin/clients/{readerId}/grants", new { grants = Array.Empty<string>() })).StatusCode);

        var audit = (await (await admin.GetAsync("/v1/admin/audit?action=client.grants")).JsonAsync())["items"]!.AsArray();
        var entry = Assert.Single(audit);
        Assert.Equal("""{"grants":["customers:r"]}""", entry!["before"]!.GetValue<string>());
        Assert.Equal("""{"grants":["customers:rw"]}""", entry["after"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_decision_needs_the_write_grant_on_the_writes_collection()
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite)
        {
            Overrides = new Dictionary<string, string?> { ["WritePipeline:Collections:customers:ConflictPolicy"] = "notify" },
        });
        var (clientId, http) = await app.CreateClientAsync("decider", Grants("customers:rw"));
        await http.AppliedAsync(http.PutAsync("customers", "d1", new JsonObject { ["n"] = 1 }));
        var conflicted = await http.PutAsync("customers", "d1", new JsonObject { ["n"] = 2 }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(conflicted, "notified", "parked");

        var admin = await app.CreateOperatorAsync("admin");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/v1/admin/clients/{clientId}/grants", new { grants = new[] { "customers:r" } })).StatusCode);
        await Api.AssertProblemAsync(await http.ResolveAsync(conflicted, "discard", reason: "no longer mine"), HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/v1/admin/clients/{clientId}/grants", new { grants = new[] { "*:rw" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(conflicted, "discard", reason: "mine again")).StatusCode);
    }

    static CollectionGrants Grants(params string[] grants) => CollectionGrants.Parse(grants).Grants!;
}
