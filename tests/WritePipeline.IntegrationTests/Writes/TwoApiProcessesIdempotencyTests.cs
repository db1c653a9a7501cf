using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Testing;
using Xunit.Abstractions;

namespace WritePipeline.IntegrationTests.Writes;

/// <summary>
/// Two API processes that share nothing but the broker and the database take the same request, with the same
/// Idempotency-Key, at the same moment, a thousand times over: neither can know of the other's answer before its 202,
/// yet exactly one write per key is applied, and any other id given out for it reads as a duplicate of that one. A key
/// then reused for another request is never applied.
/// </summary>
public sealed class TwoApiProcessesIdempotencyTests(ITestOutputHelper output)
{
    const int Keys = 1_000;
    const int ReusedKeys = 100;

    [Fact]
    public async Task The_same_key_sent_to_two_api_processes_at_once_is_applied_once_and_a_reuse_never()
    {
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with { ServesHttp = true });
        var (clientId, first) = await app.CreateClientAsync();
        await using var otherApi = WorkerProcess.StartApiHost(app.SharedSettings);
        using var second = new HttpClient { BaseAddress = await otherApi.BaseAddressAsync() };
        second.DefaultRequestHeaders.Authorization = first.DefaultRequestHeaders.Authorization;
        var prefix = TestKeys.New("twoapi") + "-";

        // Each key: the same request to both processes at once.
        var ids = new Guid[Keys][];
        await Parallel.ForEachAsync(Enumerable.Range(0, Keys), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (k, _) =>
        {
            var answers = await Task.WhenAll(SubmitAsync(first, prefix + k, $"key-{k}", k), SubmitAsync(second, prefix + k, $"key-{k}", k));
            ids[k] = [.. answers.Select(a => a.WriteId())];
        });

        // Then another request with the key, to either process, for some of them.
        var refused = 0;
        var reuses = new List<Guid>();
        for (var k = 0; k < ReusedKeys; k++)
        {
            var response = await SendAsync(k % 2 == 0 ? first : second, prefix + k, $"key-{k}", -1);
            if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
            {
                refused++;
            }
            else
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                reuses.Add((await response.JsonAsync()).WriteId());
            }
        }

        // Every id given out is recorded, none left queued.
        var given = ids.SelectMany(pair => pair).Concat(reuses).Distinct().ToList();
        await Eventually.UntilAsync(
            async () => await app.QueryAsync(db => db.Writes.CountAsync(w => given.Contains(w.Id) && w.Status != "queued")) == given.Count,
            "every write given out is recorded and final",
            TimeSpan.FromMinutes(2));

        var writes = await app.QueryAsync(db => db.Writes.AsNoTracking().Where(w => w.ClientId == clientId).ToDictionaryAsync(w => w.Id));
        var twoIds = 0;
        for (var k = 0; k < Keys; k++)
        {
            var pair = ids[k].Distinct().Select(id => writes[id]).ToList();
            var applied = Assert.Single(pair, w => w.Status == "applied");
            Assert.All(pair.Where(w => w.Id != applied.Id), w => Assert.Equal(("duplicate", applied.Id), (w.Status, w.DuplicateOf)));
            twoIds += pair.Count - 1;
        }

        Assert.All(reuses, id => Assert.Equal(("failed", "idempotency_key_reused"), (writes[id].Status, writes[id].ErrorType)));
        var history = await app.HistoryAsync("customers", prefix);
        Assert.Equal(Keys, history.Count);
        Assert.DoesNotContain(history, v => JsonNode.Parse(v.Document!)!["n"]!.GetValue<int>() < 0);

        // A duplicate's status resource names the write applied in its place, from either process.
        if (ids.FirstOrDefault(pair => pair[0] != pair[1]) is { } split)
        {
            var duplicate = split.Single(id => writes[id].Status == "duplicate");
            var status = await (await second.GetAsync($"/v1/writes/{duplicate}")).JsonAsync();
            Assert.Equal(writes[duplicate].DuplicateOf, status["duplicateOf"]!.GetValue<Guid>());
        }

        output.WriteLine($"{Keys} keys sent to two API processes at once: {twoIds} got two ids (the second a duplicate), {Keys - twoIds} one; "
            + $"{ReusedKeys} reuses: {refused} refused with 422, {reuses.Count} accepted and failed as reused");
    }

    static async Task<JsonObject> SubmitAsync(HttpClient http, string key, string idempotencyKey, int n)
    {
        var response = await SendAsync(http, key, idempotencyKey, n);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    static Task<HttpResponseMessage> SendAsync(HttpClient http, string key, string idempotencyKey, int n) =>
        http.PutAsync("customers", key, new JsonObject { ["n"] = n }, r => r.Headers.Add("Idempotency-Key", $"\"{idempotencyKey}\""));
}
