using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;

namespace WritePipeline.IntegrationTests.Writes;

/// <summary>
/// An Idempotency-Key names its write for <c>Idempotency:Retention</c>, and for as long as that write may still change;
/// after that, a write submitted later takes the key over, in the transaction that records it (no release job that
/// could free a key under a write a replay is reviving). The API processes remember no keys here
/// (<c>Api:RememberedIdempotencyKeys</c> 0), so every answer comes from what the workers recorded.
/// </summary>
public sealed class IdempotencyRetentionTests
{
    [Theory]
    [InlineData(TransportKind.InMemory, DatabaseProvider.Sqlite)]
    [InlineData(TransportKind.RabbitMq, DatabaseProvider.PostgreSql)]
    public async Task A_key_past_retention_names_a_new_write_once_its_first_is_final_and_one_within_it_still_replays(TransportKind transport, DatabaseProvider database)
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(transport, database)
        {
            Overrides = new Dictionary<string, string?> { ["WritePipeline:Api:RememberedIdempotencyKeys"] = "0" },
        });
        var (_, http) = await app.CreateClientAsync();
        var key = TestKeys.New("idem");
        var old = await SubmitAsync(http, key, "old-key", 1).AcceptedAsync();
        await http.UntilStatusAsync(old, "applied");
        var recent = await SubmitAsync(http, key, "recent-key", 2).AcceptedAsync();
        await http.UntilStatusAsync(recent, "applied");

        // The first write was submitted eight days ago (retention: seven), and is final.
        var longAgo = DateTimeOffset.UtcNow.AddDays(-8);
        await app.QueryAsync(db => db.Writes.Where(w => w.Id == old).ExecuteUpdateAsync(set => set.SetProperty(w => w.SubmittedAt, longAgo)));

        // Its key, with another body: a new write (neither a replay nor 422), which takes the key over.
        var reused = await SubmitAsync(http, key, "old-key", 3);
        Assert.Equal(HttpStatusCode.Accepted, reused.StatusCode);
        var reusedBody = await reused.JsonAsync();
        var reusedId = reusedBody.WriteId();
        Assert.NotEqual(old, reusedId);
        Assert.False(reusedBody["replayed"]!.GetValue<bool>());
        await http.UntilStatusAsync(reusedId, "applied");
        var holders = await app.QueryAsync(db => db.Writes.Where(w => w.Id == old || w.Id == reusedId).ToDictionaryAsync(w => w.Id, w => w.IdempotencyKey));
        Assert.Equal((null, "old-key"), (holders[old], holders[reusedId]));

        // The kept key: the same request replays its write; another request with it is refused.
        var replay = await SubmitAsync(http, key, "recent-key", 2);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        var replayBody = await replay.JsonAsync();
        Assert.Equal(recent, replayBody.WriteId());
        Assert.True(replayBody["replayed"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await SubmitAsync(http, key, "recent-key", 4)).StatusCode);
        // The old write's row stays, only its key is gone.
        Assert.Equal("applied", (await (await http.GetAsync($"/v1/writes/{old}")).JsonAsync())["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_write_past_retention_that_is_not_final_keeps_its_key_so_a_retry_never_makes_a_second_write()
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.RabbitMq, DatabaseProvider.PostgreSql)
        {
            Overrides = new Dictionary<string, string?> { ["WritePipeline:Api:RememberedIdempotencyKeys"] = "0" },
        });
        var (_, http) = await app.CreateClientAsync();
        var key = TestKeys.New("idem-parked");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["n"] = 0 }));
        // Parked for a decision (If-Match names a version the record is not at), and submitted eight days ago.
        var parked = await http.PutAsync("customers", key, new JsonObject { ["n"] = 1 }, r =>
        {
            r.Headers.Add("Idempotency-Key", "\"parked-key\"");
            r.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"7\""));
        }).AcceptedAsync();
        await http.UntilStatusAsync(parked, "parked");
        await app.QueryAsync(db => db.Writes.Where(w => w.Id == parked).ExecuteUpdateAsync(set => set.SetProperty(w => w.SubmittedAt, DateTimeOffset.UtcNow.AddDays(-8))));

        // A retry of it is its replay, and another request with its key is refused: the key is not free while the write
        // may still change.
        var retry = await http.PutAsync("customers", key, new JsonObject { ["n"] = 1 }, r =>
        {
            r.Headers.Add("Idempotency-Key", "\"parked-key\"");
            r.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"7\""));
        });
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(parked, (await retry.JsonAsync()).WriteId());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await SubmitAsync(http, key, "parked-key", 2)).StatusCode);
        Assert.Equal("parked-key", await app.QueryAsync(db => db.Writes.Where(w => w.Id == parked).Select(w => w.IdempotencyKey).SingleAsync()));
        Assert.Equal(1, await app.QueryAsync(db => db.Writes.CountAsync(w => w.Key == key && w.Body == "{\"n\":1}")));
    }

    /// <summary>
    /// Versions before the worker recorded writes left a row `queued` when their API died between recording and
    /// sending: no sweep rejects it now, so a retry of its request sends it again, under its id, as their replay did.
    /// </summary>
    [Fact]
    public async Task A_write_an_older_version_recorded_but_never_sent_is_sent_by_a_retry_of_its_request()
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.RabbitMq, DatabaseProvider.PostgreSql)
        {
            Overrides = new Dictionary<string, string?> { ["WritePipeline:Api:RememberedIdempotencyKeys"] = "0" },
        });
        var (clientId, http) = await app.CreateClientAsync();
        var key = TestKeys.New("idem-legacy");
        var request = new WritePipeline.Writes.WriteRequest { Collection = "customers", Key = key, Operation = "replace", Body = "{\"n\":1}", IdempotencyKey = "legacy-key" };
        var legacy = Guid.CreateVersion7();
        await app.QueryAsync(db =>
        {
            db.Writes.Add(new WritePipeline.Writes.Write
            {
                Id = legacy, ClientId = clientId, Collection = "customers", Key = key, Operation = "replace", Body = request.Body,
                Partition = new WritePipeline.Partitioning.PartitionMap(8).PartitionOf("customers", key), SubmittedAt = DateTimeOffset.UtcNow.AddMinutes(-10),
                IdempotencyKey = "legacy-key", RequestHash = request.Fingerprint(),
            });
            return db.SaveChangesAsync();
        });

        var retry = await SubmitAsync(http, key, "legacy-key", 1);

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var receipt = await retry.JsonAsync();
        Assert.Equal((legacy, true), (receipt.WriteId(), receipt["replayed"]!.GetValue<bool>()));
        await http.UntilStatusAsync(legacy, "applied");
        Assert.Single(await app.HistoryAsync("customers", key));
    }

    static Task<HttpResponseMessage> SubmitAsync(HttpClient http, string key, string idempotencyKey, int n) =>
        http.PutAsync("customers", key, new JsonObject { ["n"] = n }, r => r.Headers.Add("Idempotency-Key", $"\"{idempotencyKey}\""));
}
