using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Writes;

/// <summary>
/// An Idempotency-Key is released once its write is past <c>Idempotency:Retention</c> (by a Quartz job on the
/// workers): it can then be used for a new write, while a key within its retention still replays its write.
/// </summary>
public sealed class IdempotencyRetentionTests
{
    [Theory]
    [InlineData(TransportKind.InMemory, DatabaseProvider.Sqlite)]
    [InlineData(TransportKind.RabbitMq, DatabaseProvider.PostgreSql)]
    public async Task A_key_past_retention_is_free_for_a_new_write_and_one_within_it_still_replays(TransportKind transport, DatabaseProvider database)
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(transport, database)
        {
            Overrides = new Dictionary<string, string?> { ["WritePipeline:Idempotency:ReleaseInterval"] = "00:00:01" },
        });
        var (_, http) = await app.CreateClientAsync();
        var key = TestKeys.New("idem");
        var old = await SubmitAsync(http, key, "old-key", 1).AcceptedAsync();
        var recent = await SubmitAsync(http, key, "recent-key", 2).AcceptedAsync();
        await http.UntilStatusAsync(recent, "applied");

        // The first write was submitted eight days ago (retention: seven).
        var longAgo = DateTimeOffset.UtcNow.AddDays(-8);
        await app.QueryAsync(db => db.Writes.Where(w => w.Id == old).ExecuteUpdateAsync(set => set.SetProperty(w => w.SubmittedAt, longAgo)));
        await Eventually.UntilAsync(
            async () => await app.QueryAsync(db => db.Writes.AnyAsync(w => w.Id == old && w.IdempotencyKey == null)),
            "the old key is released");

        // The released key, with another body: a new write (neither a replay nor 422 for a different request).
        var reused = await SubmitAsync(http, key, "old-key", 3);
        Assert.Equal(HttpStatusCode.Accepted, reused.StatusCode);
        var reusedId = Guid.Parse((await reused.JsonAsync())["writeId"]!.GetValue<string>());
        Assert.NotEqual(old, reusedId);
        await http.UntilStatusAsync(reusedId, "applied");

        // The kept key: the same request replays its write; another request with it is refused.
        var replay = await SubmitAsync(http, key, "recent-key", 2);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal(recent, Guid.Parse((await replay.JsonAsync())["writeId"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await SubmitAsync(http, key, "recent-key", 4)).StatusCode);
        // The old write's row stays, only its key is gone.
        Assert.Equal("applied", (await (await http.GetAsync($"/v1/writes/{old}")).JsonAsync())["status"]!.GetValue<string>());
    }

    static Task<HttpResponseMessage> SubmitAsync(HttpClient http, string key, string idempotencyKey, int n) =>
        http.PutAsync("customers", key, new JsonObject { ["n"] = n }, r => r.Headers.Add("Idempotency-Key", $"\"{idempotencyKey}\""));
}
