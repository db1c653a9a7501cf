using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace WritePipeline.IntegrationTests.Conflicts;

/// <summary>
/// Every conflict kind, detected by the worker on RabbitMQ + PostgreSQL, with what a person needs to decide (a missing
/// reference at once: <see cref="ConflictsFixture"/> declares no grace; <see cref="ReferenceGraceTests"/> tests the grace).
/// </summary>
public sealed class ConflictDetectionTests(ConflictsFixture fixture) : IClassFixture<ConflictsFixture>
{
    readonly PipelineApp _app = fixture.App;

    [Fact]
    public async Task A_stale_if_match_keeps_the_current_record_the_based_on_version_and_the_difference()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = TestKeys.New("c");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada", ["tier"] = "gold" }));
        await http.AppliedAsync(http.PatchAsync("customers", key, new JsonObject { ["tier"] = "platinum" }));

        var stale = await http.PatchAsync("customers", key, new JsonObject { ["name"] = "Ada L." }, Api.IfMatch(1));
        var status = await http.UntilFinalAsync((await stale.JsonAsync()).WriteId());

        var conflict = status["conflict"]!;
        Assert.Equal("version_mismatch", conflict["type"]!.GetValue<string>());
        Assert.Equal(1, conflict["basedOnVersion"]!.GetValue<long>());
        Assert.Equal(2, conflict["current"]!["version"]!.GetValue<long>());
        Assert.Equal("platinum", conflict["current"]!["document"]!["tier"]!.GetValue<string>());
        // The patch applied to the current document: what the write would have made of it.
        Assert.Equal("Ada L.", conflict["attempted"]!["name"]!.GetValue<string>());
        Assert.Equal("platinum", conflict["attempted"]!["tier"]!.GetValue<string>());
        var change = Assert.Single(conflict["changes"]!.AsArray());
        Assert.Equal("/name", change!["path"]!.GetValue<string>());
        Assert.Equal("Ada", change["current"]!.GetValue<string>());
        Assert.Equal("Ada L.", change["attempted"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_only_on_an_existing_record_and_patch_or_delete_of_a_missing_one_conflict()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = TestKeys.New("c");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada" }));

        var create = await http.PutAsync("customers", key, new JsonObject { ["name"] = "Bob" }, r => r.Headers.TryAddWithoutValidation("If-None-Match", "*"));
        var patch = await http.PatchAsync("customers", key + "-none", new JsonObject { ["name"] = "x" });
        var delete = await http.DeleteAsync("customers", key + "-gone");

        Assert.Equal("already_exists", await ConflictTypeAsync(http, create));
        Assert.Equal("not_found", await ConflictTypeAsync(http, patch));
        Assert.Equal("not_found", await ConflictTypeAsync(http, delete));
        Assert.Equal("\"1\"", (await http.GetAsync(Api.RecordPath("customers", key))).Headers.ETag!.Tag);
    }

    [Fact]
    public async Task A_unique_value_held_by_another_record_conflicts_and_names_the_holder()
    {
        var (_, http) = await _app.CreateClientAsync();
        var (holder, taker) = (TestKeys.New("c"), TestKeys.New("c"));
        var email = $"{holder}@example.com";
        await http.AppliedAsync(http.PutAsync("customers", holder, new JsonObject { ["email"] = email }));

        var status = await http.UntilFinalAsync((await (await http.PutAsync("customers", taker, new JsonObject { ["email"] = email })).JsonAsync()).WriteId());

        Assert.Equal("unique_violation", status["conflict"]!["type"]!.GetValue<string>());
        Assert.Equal("/email", status["conflict"]!["subject"]!["field"]!.GetValue<string>());
        Assert.Equal(holder, status["conflict"]!["subject"]!["heldBy"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(Api.RecordPath("customers", taker))).StatusCode);

        // Once the holder lets go of the value (changes it), the write can take it.
        await http.AppliedAsync(http.PatchAsync("customers", holder, new JsonObject { ["email"] = "other-" + email }));
        await RetriedAsync(http, status.WriteId());
    }

    [Fact]
    public async Task Concurrent_writes_of_one_unique_value_on_different_partitions_apply_exactly_once()
    {
        var (clientId, http) = await _app.CreateClientAsync();
        var map = _app.Services.GetRequiredService<PartitionMap>();
        var pairs = Enumerable.Range(0, 30).Select(_ => TestKeys.New("c")).Select(first =>
            (First: first, Second: TestKeys.Where(map, "customers", "c", p => p != map.PartitionOf("customers", first)))).ToList();

        var submissions = pairs.SelectMany((pair, i) => new[] { pair.First, pair.Second }.Select(key =>
            http.PutAsync("customers", key, new JsonObject { ["email"] = $"race-{i}-{pairs[0].First}@example.com" })));
        foreach (var response in await Task.WhenAll(submissions))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await _app.UntilDrainedAsync(clientId, pairs.Count * 2);
        var outcomes = await _app.QueryAsync(db => db.Writes.AsNoTracking().Where(w => w.ClientId == clientId).ToListAsync());
        foreach (var pair in pairs)
        {
            var both = outcomes.Where(w => w.Key == pair.First || w.Key == pair.Second).ToList();
            Assert.Single(both, w => w.Status == "applied");
            Assert.Equal("unique_violation", Assert.Single(both, w => w.Status != "applied").ErrorType);
        }
    }

    [Fact]
    public async Task A_reference_to_a_missing_record_conflicts_and_a_referenced_record_cannot_be_deleted()
    {
        var (_, http) = await _app.CreateClientAsync();
        var (customer, order) = (TestKeys.New("c"), TestKeys.New("o"));

        var dangling = await http.PutAsync("orders", order, new JsonObject { ["customerId"] = customer, ["total"] = 10 });
        var status = await http.UntilFinalAsync((await dangling.JsonAsync()).WriteId());
        Assert.Equal("missing_reference", status["conflict"]!["type"]!.GetValue<string>());
        Assert.Equal("customers", status["conflict"]!["subject"]!["collection"]!.GetValue<string>());
        Assert.Equal(customer, status["conflict"]!["subject"]!["key"]!.GetValue<string>());

        await http.AppliedAsync(http.PutAsync("customers", customer, new JsonObject { ["name"] = "Ada" }));
        await RetriedAsync(http, status.WriteId());

        var delete = (await (await http.DeleteAsync("customers", customer)).JsonAsync()).WriteId();
        Assert.Equal("still_referenced", (await http.UntilFinalAsync(delete))["conflict"]!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(Api.RecordPath("customers", customer))).StatusCode);

        // Moving the order to nobody releases the reference; then the customer can go.
        await http.AppliedAsync(http.PatchAsync("orders", order, new JsonObject { ["customerId"] = null }));
        await RetriedAsync(http, delete);
    }

    [Fact]
    public async Task A_reference_and_a_delete_of_its_target_racing_on_different_partitions_never_leave_a_dangling_reference()
    {
        var (clientId, http) = await _app.CreateClientAsync();
        var map = _app.Services.GetRequiredService<PartitionMap>();
        var customers = Enumerable.Range(0, 20).Select(_ => TestKeys.New("c")).ToList();
        foreach (var customer in customers)
        {
            await http.AppliedAsync(http.PutAsync("customers", customer, new JsonObject { ["name"] = customer }));
        }

        var orders = customers.Select(c => TestKeys.Where(map, "orders", "o", p => p != map.PartitionOf("customers", c))).ToList();
        await Task.WhenAll(customers.Select((c, i) => Task.WhenAll(
            http.PutAsync("orders", orders[i], new JsonObject { ["customerId"] = c }),
            http.DeleteAsync("customers", c))));
        await _app.UntilDrainedAsync(clientId, customers.Count * 3);

        foreach (var (customer, i) in customers.Select((c, i) => (c, i)))
        {
            var orderExists = (await http.GetAsync(Api.RecordPath("orders", orders[i]))).StatusCode == HttpStatusCode.OK;
            var customerExists = (await http.GetAsync(Api.RecordPath("customers", customer))).StatusCode == HttpStatusCode.OK;
            // Exactly one of the two won: an order whose customer exists, or a deleted customer and no order.
            Assert.True(orderExists == customerExists, $"order {orders[i]} exists: {orderExists}, customer {customer} exists: {customerExists}");
        }
    }

    /// <summary>Retries a parked write (its cause is gone) and waits until it is applied.</summary>
    static async Task RetriedAsync(HttpClient http, Guid writeId)
    {
        await http.UntilStatusAsync(writeId, "parked");
        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(writeId, "retry")).StatusCode);
        await http.UntilStatusAsync(writeId, "applied");
    }

    static async Task<string> ConflictTypeAsync(HttpClient http, HttpResponseMessage response)
    {
        var status = await http.UntilFinalAsync((await response.JsonAsync()).WriteId());
        return status["conflict"]?["type"]?.GetValue<string>() ?? status.ToJsonString();
    }
}
