using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Testing;
using WritePipeline.Writes.Detection;

namespace WritePipeline.IntegrationTests.Conflicts;

/// <summary>RabbitMQ + PostgreSQL where an order waits <see cref="ReferenceGraceTests.Grace"/> for the customer it references.</summary>
public sealed class ReferenceGraceFixture() : PipelineAppFixture(PipelineSetup.RabbitMqPostgres with
{
    Overrides = ReferenceGraceTests.Settings(ReferenceGraceTests.Grace),
});

/// <summary>The same on the embedded default: in-memory partition queues, SQLite, unclustered timers.</summary>
public sealed class EmbeddedReferenceGraceFixture() : PipelineAppFixture(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite)
{
    Overrides = ReferenceGraceTests.Settings(ReferenceGraceTests.Grace),
});

public sealed class PostgresReferenceGraceTests(ReferenceGraceFixture fixture) : ReferenceGraceTests(fixture), IClassFixture<ReferenceGraceFixture>;

public sealed class EmbeddedReferenceGraceTests(EmbeddedReferenceGraceFixture fixture) : ReferenceGraceTests(fixture), IClassFixture<EmbeddedReferenceGraceFixture>;

/// <summary>
/// A write whose referenced record does not exist yet waits for it, within its collection's grace, in its key's
/// order and without holding up the other keys of its partition; then it is applied, or it conflicts.
/// </summary>
public abstract class ReferenceGraceTests(PipelineAppFixture fixture)
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    readonly PipelineApp _app = fixture.App;

    public static Dictionary<string, string?> Settings(TimeSpan grace) => new()
    {
        ["WritePipeline:Collections:customers:UniqueFields:0"] = "/email",
        ["WritePipeline:Collections:orders:References:/customerId"] = "customers",
        ["WritePipeline:Collections:orders:ReferenceGrace"] = grace.ToString(),
        ["WritePipeline:Collections:notes:References:/customerId"] = "customers",
        ["WritePipeline:Collections:notes:OnConflict"] = "continue",
        ["WritePipeline:Collections:notes:ReferenceGrace"] = grace.ToString(),
    };

    [Fact]
    public async Task An_order_sent_before_its_customer_on_another_partition_is_applied_once_the_customer_arrives()
    {
        var (_, http) = await _app.CreateClientAsync();
        var (order, customer) = KeysOnDifferentPartitions();

        var orderWrite = await http.PutAsync("orders", order, new JsonObject { ["customerId"] = customer }).AcceptedAsync();
        var waiting = await http.UntilStatusAsync(orderWrite, "waiting");
        Assert.Equal("missing_reference", waiting["error"]!["type"]!.GetValue<string>());
        Assert.NotNull(waiting["retryUntil"]);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(Api.RecordPath("orders", order))).StatusCode);

        await http.AppliedAsync(http.PutAsync("customers", customer, new JsonObject { ["name"] = "Ada" }));
        var applied = await http.UntilStatusAsync(orderWrite, "applied", "conflicted", "parked", "notified");

        Assert.Equal("applied", applied["status"]!.GetValue<string>());
        Assert.Null(applied["error"]);
        Assert.Null(applied["retryUntil"]);
        Assert.False(await _app.QueryAsync(db => db.WriteConflicts.AnyAsync(c => c.WriteId == orderWrite)));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(Api.RecordPath("orders", order))).StatusCode);
    }

    [Fact]
    public async Task Without_its_customer_it_conflicts_with_missing_reference_after_the_grace_and_not_before()
    {
        var (_, http) = await _app.CreateClientAsync();
        var (order, customer) = KeysOnDifferentPartitions();

        var receipt = await (await http.PutAsync("orders", order, new JsonObject { ["customerId"] = customer })).JsonAsync();
        var submittedAt = receipt["submittedAt"]!.GetValue<DateTimeOffset>();
        var waiting = await http.UntilStatusAsync(receipt.WriteId(), "waiting");
        Assert.True(waiting["retryUntil"]!.GetValue<DateTimeOffset>() >= submittedAt + Grace, waiting.ToJsonString());

        // Polled until half a second before the grace ends: it keeps waiting all the while.
        await StaysAsync(http, receipt.WriteId(), "waiting", submittedAt + Grace - TimeSpan.FromMilliseconds(500));

        var conflicted = await http.UntilStatusAsync(receipt.WriteId(), "parked", "notified", "applied");
        var conflict = conflicted["conflict"]!;
        Assert.Equal("missing_reference", conflict["type"]!.GetValue<string>());
        Assert.Equal(customer, conflict["subject"]!["key"]!.GetValue<string>());
        var detectedAfter = conflict["detectedAt"]!.GetValue<DateTimeOffset>() - submittedAt;
        Assert.True(detectedAfter >= Grace, $"detected {detectedAfter} after the submission, within the grace of {Grace}");
        Assert.Contains("retry", conflicted["actions"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Fact]
    public async Task A_later_write_of_the_order_is_held_behind_it_and_applied_after_it_in_order()
    {
        var (_, http) = await _app.CreateClientAsync();
        var (order, customer) = KeysOnDifferentPartitions();

        var first = await http.PutAsync("orders", order, new JsonObject { ["customerId"] = customer, ["seq"] = 1 }).AcceptedAsync();
        await http.UntilStatusAsync(first, "waiting");
        // Applied before the first, this patch would find no record and conflict with not_found.
        var second = await http.PatchAsync("orders", order, new JsonObject { ["seq"] = 2 }).AcceptedAsync();
        var held = await http.UntilStatusAsync(second, "held", "applied", "parked", "notified");
        Assert.Equal("held", held["status"]!.GetValue<string>());
        Assert.Equal(first, held["heldBehind"]!["writeId"]!.GetValue<Guid>());
        Assert.Equal("waiting", (await (await http.GetAsync($"/v1/writes/{first}")).JsonAsync())["status"]!.GetValue<string>());

        await http.AppliedAsync(http.PutAsync("customers", customer, new JsonObject { ["name"] = "Ada" }));
        await http.UntilStatusAsync(second, "applied");

        var history = await _app.HistoryAsync("orders", order);
        Assert.Equal([first, second], history.Select(v => v.WriteId));
        Assert.Equal([1L, 2L], history.Select(v => v.Version));
        Assert.Equal(2, JsonNode.Parse(history[^1].Document!)!["seq"]!.GetValue<int>());
        // The hold is lifted when the release finds nothing more held behind it: just after the last held write commits.
        await Eventually.UntilAsync(
            async () => !await _app.QueryAsync(db => db.KeyHolds.AnyAsync(h => h.Collection == "orders" && h.Key == order)),
            "the order's key hold to be lifted once nothing waits behind it");
    }

    [Fact]
    public async Task Where_conflicts_do_not_hold_the_key_a_waiting_write_still_does_and_lets_go_when_it_conflicts()
    {
        var (_, http) = await _app.CreateClientAsync();
        var note = TestKeys.New("n");

        var first = await http.PutAsync("notes", note, new JsonObject { ["customerId"] = TestKeys.New("nobody") }).AcceptedAsync();
        await http.UntilStatusAsync(first, "waiting");
        var second = await http.PutAsync("notes", note, new JsonObject { ["text"] = "second" }).AcceptedAsync();
        Assert.Equal(first, (await http.UntilStatusAsync(second, "held", "applied"))["heldBehind"]?["writeId"]?.GetValue<Guid>());

        // OnConflict: continue: once the first conflicts, the second goes on without waiting for a decision about it.
        var conflicted = await http.UntilStatusAsync(first, "parked", "notified", "applied");
        Assert.Equal("missing_reference", conflicted["conflict"]?["type"]?.GetValue<string>());
        await http.UntilStatusAsync(second, "applied");
        Assert.Equal([second], (await _app.HistoryAsync("notes", note)).Select(v => v.WriteId));
    }

    [Fact]
    public async Task Other_keys_of_its_partition_are_applied_while_it_waits()
    {
        var (_, http) = await _app.CreateClientAsync();
        var map = _app.Services.GetRequiredService<PartitionMap>();
        var (order, missing) = KeysOnDifferentPartitions();
        var partition = map.PartitionOf("orders", order);
        var neighbour = TestKeys.Where(map, "customers", "c", p => p == partition);
        var neighbourOrder = TestKeys.Where(map, "orders", "o", p => p == partition);

        var waitingWrite = await http.PutAsync("orders", order, new JsonObject { ["customerId"] = missing }).AcceptedAsync();
        await http.UntilStatusAsync(waitingWrite, "waiting");

        // The same partition, behind the waiting write: a customer, and an order that references it.
        await http.AppliedAsync(http.PutAsync("customers", neighbour, new JsonObject { ["name"] = "Bob" }));
        await http.AppliedAsync(http.PutAsync("orders", neighbourOrder, new JsonObject { ["customerId"] = neighbour }));

        Assert.Equal("waiting", (await (await http.GetAsync($"/v1/writes/{waitingWrite}")).JsonAsync())["status"]!.GetValue<string>());
    }

    /// <summary>An order key and a customer key whose partitions differ.</summary>
    (string Order, string Customer) KeysOnDifferentPartitions()
    {
        var map = _app.Services.GetRequiredService<PartitionMap>();
        var order = TestKeys.New("o");
        return (order, TestKeys.Where(map, "customers", "c", p => p != map.PartitionOf("orders", order)));
    }

    /// <summary>Polls the write's status until <paramref name="until"/>, asserting it is <paramref name="status"/> at every poll.</summary>
    static async Task StaysAsync(HttpClient http, Guid writeId, string status, DateTimeOffset until)
    {
        var polls = 0;
        while (DateTimeOffset.UtcNow < until)
        {
            var now = await (await http.GetAsync($"/v1/writes/{writeId}")).JsonAsync();
            Assert.True(status == now["status"]!.GetValue<string>(), $"at {DateTimeOffset.UtcNow:O}, before {until:O}: {now.ToJsonString()}");
            polls++;
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        Assert.True(polls > 0, "the grace ended before the write could be polled");
    }
}
