using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Admin;

/// <summary>Bulk actions on a group or a selection of writes, their progress, problems and order.</summary>
public abstract class BulkActionTests(AdminActionsFixture fixture) : AdminActionsTest(fixture)
{
    static async Task<JsonObject> UntilFinishedAsync(HttpClient http, Uri location)
    {
        JsonObject bulk = [];
        await Eventually.UntilAsync(
            async () =>
            {
                bulk = await GetJsonAsync(http, location.ToString());
                Assert.NotEqual("interrupted", Text(bulk, "state"));
                return Text(bulk, "state") == "finished";
            },
            $"bulk action {location} finished");
        return bulk;
    }

    [Fact]
    public async Task A_bulk_retry_of_a_group_applies_every_write_once_its_references_exist()
    {
        var (_, http) = await App.CreateClientAsync();
        var customers = Enumerable.Range(0, 3).Select(_ => TestKeys.New("c")).ToList();
        var orders = new List<Guid>();
        foreach (var customer in customers)
        {
            orders.Add(await http.PutAsync("group_orders", TestKeys.New("o"), new JsonObject { ["customerId"] = customer }).AcceptedAsync());
        }

        foreach (var order in orders)
        {
            Assert.Equal("missing_reference", Text((await http.UntilStatusAsync(order, "parked"))["conflict"], "type"));
        }

        foreach (var customer in customers)
        {
            await http.AppliedAsync(http.PutAsync("customers", customer, new JsonObject { ["name"] = customer }));
        }

        var (actor, @operator) = await OperatorAsync();

        var started = await @operator.PostAsJsonAsync("/v1/admin/bulk-actions", new { action = "retry", collection = "group_orders", kind = "missing_reference" });

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.JsonAsync())["id"]!.GetValue<Guid>();
        Assert.Equal($"/v1/admin/bulk-actions/{id}", started.Headers.Location!.ToString());
        var bulk = await UntilFinishedAsync(@operator, started.Headers.Location);
        Assert.Equal((3, 3, 3, 0), (bulk["total"]!.GetValue<int>(), bulk["done"]!.GetValue<int>(), bulk["taken"]!.GetValue<int>(), bulk["refused"]!.GetValue<int>()));
        Assert.Empty(bulk["problems"]!.AsArray());
        Assert.Equal((actor, "retry"), (Text(bulk, "actor"), Text(bulk, "action")));
        foreach (var order in orders)
        {
            await http.UntilStatusAsync(order, "applied");
            var entry = Assert.Single(await AuditOfAsync(@operator, order));
            Assert.Equal(("write.retry", "taken", $"bulk {id}"), (Text(entry, "action"), Text(entry, "outcome"), Text(entry, "detail")));
        }

        var recent = (await @operator.GetFromJsonAsync<JsonArray>("/v1/admin/bulk-actions"))!;
        Assert.Contains(recent, b => b!["id"]!.GetValue<Guid>() == id && Text(b, "state") == "finished");
    }

    [Fact]
    public async Task A_bulk_action_on_a_selection_reports_the_writes_it_could_not_act_on_or_find_and_takes_the_rest()
    {
        var (_, http) = await App.CreateClientAsync();
        var first = await ParkedAsync(http, TestKeys.New("c"));
        var applied = await http.PutAsync("customers", TestKeys.New("c"), new JsonObject { ["name"] = "fine" }).AcceptedAsync();
        await http.UntilStatusAsync(applied, "applied");
        var second = await ParkedAsync(http, TestKeys.New("c"));
        var unknown = Guid.CreateVersion7(); // e.g. purged from the archive after the operator selected it
        var (_, @operator) = await OperatorAsync();

        var started = await @operator.PostAsJsonAsync("/v1/admin/bulk-actions", new { action = "discard", reason = "test data", writeIds = new[] { second, applied, unknown, first } });

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var bulk = await UntilFinishedAsync(@operator, started.Headers.Location!);
        Assert.Equal((4, 4, 2, 2), (bulk["total"]!.GetValue<int>(), bulk["done"]!.GetValue<int>(), bulk["taken"]!.GetValue<int>(), bulk["refused"]!.GetValue<int>()));
        var problems = bulk["problems"]!.AsArray().Select(p => (p!["writeId"]!.GetValue<Guid>(), Text(p, "outcome"), Text(p, "detail"))).ToList();
        Assert.Equal([(applied, "refused"), (unknown, "not found")], problems.Select(p => (p.Item1, p.Item2)));
        Assert.Contains("applied", problems[0].Item3, StringComparison.Ordinal);
        Assert.Equal("test data", Text((await http.UntilStatusAsync(first, "discarded"))["resolution"], "reason"));
        await http.UntilStatusAsync(second, "discarded");
        Assert.Equal("applied", Text(await GetJsonAsync(@operator, AdminWrites + applied), "status"));
    }

    [Fact]
    public async Task A_bulk_action_without_an_action_a_reason_to_discard_or_exactly_one_selection_is_a_400_problem()
    {
        var (_, @operator) = await OperatorAsync();
        var invalid = new JsonObject[]
        {
            new() { ["collection"] = "orders" },
            new() { ["action"] = "merge", ["collection"] = "orders" },
            new() { ["action"] = "resubmit", ["collection"] = "orders" },
            new() { ["action"] = "retry", ["writeIds"] = new JsonArray(Guid.NewGuid()), ["collection"] = "orders" },
            new() { ["action"] = "retry" },
            new() { ["action"] = "discard", ["collection"] = "orders" },
            new() { ["action"] = "discard", ["reason"] = " ", ["writeIds"] = new JsonArray(Guid.NewGuid()) },
        };

        foreach (var request in invalid)
        {
            await Api.AssertProblemAsync(await @operator.PostAsJsonAsync("/v1/admin/bulk-actions", request), HttpStatusCode.BadRequest, "invalid-bulk-action");
        }

        await Api.AssertProblemAsync(await @operator.GetAsync($"/v1/admin/bulk-actions/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "bulk-action-not-found");
    }

    [Fact]
    public async Task A_bulk_action_takes_writes_of_one_key_in_submission_order_whatever_order_they_are_named_in()
    {
        var (_, http) = await App.CreateClientAsync();
        var key = TestKeys.New("n");
        // Notes continue past a conflict, so both patches of the missing note are parked, neither held behind the other.
        var earlier = await http.PatchAsync("notes", key, new JsonObject { ["seq"] = 1, ["first"] = true }).AcceptedAsync();
        var later = await http.PatchAsync("notes", key, new JsonObject { ["seq"] = 2 }).AcceptedAsync();
        await http.UntilStatusAsync(earlier, "parked");
        await http.UntilStatusAsync(later, "parked");
        var created = await http.PutAsync("notes", key, new JsonObject { ["seq"] = 0 }).AcceptedAsync();
        await http.UntilStatusAsync(created, "applied");
        var (_, @operator) = await OperatorAsync();

        var started = await @operator.PostAsJsonAsync("/v1/admin/bulk-actions", new { action = "retry", writeIds = new[] { later, earlier } });

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal(2, (await UntilFinishedAsync(@operator, started.Headers.Location!))["taken"]!.GetValue<int>());
        await http.UntilStatusAsync(earlier, "applied");
        await http.UntilStatusAsync(later, "applied");
        var history = await App.HistoryAsync("notes", key);
        Assert.Equal([created, earlier, later], history.Select(v => v.WriteId));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["seq"] = 2, ["first"] = true }, JsonNode.Parse(history[^1].Document!)));
    }
}

[Collection(AdminActionsPostgres.Name)]
public sealed class PostgresBulkActionTests(AdminActionsPostgresFixture fixture) : BulkActionTests(fixture);

[Collection(AdminActionsSqlite.Name)]
public sealed class EmbeddedSqliteBulkActionTests(AdminActionsSqliteFixture fixture) : BulkActionTests(fixture);
