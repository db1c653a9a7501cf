using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace WritePipeline.IntegrationTests.Writes;

/// <summary>
/// What a 202 and a 503 mean when the broker's confirm goes wrong, on real RabbitMQ and PostgreSQL. Nothing is written
/// before a 202 and nothing is marked after a failed send, so an attempt that fails cannot take back a 202 another
/// attempt of the same key got, and a write that reached the broker without its confirm keeps its id and its place.
/// </summary>
public sealed class ConfirmRaceTests
{
    [Fact]
    public async Task A_202_stands_when_an_earlier_attempt_with_the_same_key_fails_after_it()
    {
        await using var app = await StartAsync(hostsWorker: true);
        var faults = app.Services.GetRequiredService<ConfirmFaults>();
        var (_, http) = await app.CreateClientAsync();
        var key = TestKeys.New("stalled");

        // The first attempt's confirm stalls; the client (its request timed out sooner) tries again with the same key.
        var stall = faults.StallNext(key);
        var first = SubmitAsync(http, key, "stalled-1", 1);
        await stall.Entered;
        var retry = await SubmitAsync(http, key, "stalled-1", 1);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var receipt = await retry.JsonAsync();

        // Then the first attempt's send gives up.
        stall.Fail();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await first).StatusCode);

        // The 202 is applied, once.
        await http.UntilStatusAsync(receipt.WriteId(), "applied");
        var history = await app.HistoryAsync("customers", key);
        Assert.Equal([1], history.Select(v => JsonNode.Parse(v.Document!)!["n"]!.GetValue<int>()));
        Assert.Equal(receipt.WriteId(), history.Single().WriteId);
    }

    [Fact]
    public async Task A_write_whose_confirm_was_lost_keeps_its_id_reads_queued_before_a_worker_records_it_and_is_applied_once()
    {
        await using var app = await StartAsync(hostsWorker: false);
        var faults = app.Services.GetRequiredService<ConfirmFaults>();
        var (_, http) = await app.CreateClientAsync();
        var (_, other) = await app.CreateClientAsync("other");
        var key = TestKeys.New("lost");

        // On the broker, but the confirm is lost: 503. No worker runs yet, so nothing records it.
        faults.LoseConfirmOfNext(key);
        var lost = await SubmitAsync(http, key, "lost-1", 1);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, lost.StatusCode);

        // The retry gets the same write: its id, its submission time, replayed.
        var retry = await SubmitAsync(http, key, "lost-1", 1);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var receipt = await retry.JsonAsync();
        Assert.True(receipt["replayed"]!.GetValue<bool>());
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        var writeId = receipt.WriteId();

        // Not recorded yet: its status is read from its id. Another client's id and an id never given are 404.
        var status = await (await http.GetAsync($"/v1/writes/{writeId}")).JsonAsync();
        Assert.Equal("queued", status["status"]!.GetValue<string>());
        Assert.Equal(receipt["submittedAt"]!.GetValue<DateTimeOffset>(), status["submittedAt"]!.GetValue<DateTimeOffset>());
        Assert.Null(status["collection"]);
        Assert.Equal(0, await app.QueryAsync(db => Task.FromResult(db.Writes.Count(w => w.Id == writeId))));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/writes/{writeId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/v1/writes/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/v1/writes/{Guid.CreateVersion7()}")).StatusCode);

        // Two copies on the queue, one write: a worker applies it once.
        await using var worker = WorkerProcess.Start(app.SharedSettings);
        var applied = await http.UntilStatusAsync(writeId, "applied");
        Assert.Equal(key, applied["key"]!.GetValue<string>());
        Assert.Equal(receipt["submittedAt"]!.GetValue<DateTimeOffset>(), applied["submittedAt"]!.GetValue<DateTimeOffset>());
        Assert.Single(await app.HistoryAsync("customers", key));
    }

    /// <summary>
    /// The contract of docs/api.md: after a 503, retry that write before sending the next one to the same record. A
    /// client that does not is told where its retried write stands: replayed, with its first submission time, which is
    /// earlier than the write it sent in between, and so it is applied before that one.
    /// </summary>
    [Fact]
    public async Task A_retry_after_a_lost_confirm_says_it_keeps_the_place_its_first_attempt_took()
    {
        await using var app = await StartAsync(hostsWorker: true);
        var faults = app.Services.GetRequiredService<ConfirmFaults>();
        var (_, http) = await app.CreateClientAsync();
        var key = TestKeys.New("place");

        faults.LoseConfirmOfNext(key);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SubmitAsync(http, key, "place-1", 1)).StatusCode);
        var second = await (await SubmitAsync(http, key, "place-2", 2)).JsonAsync();
        var retry = await SubmitAsync(http, key, "place-1", 1);

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var first = await retry.JsonAsync();
        Assert.True(first["replayed"]!.GetValue<bool>());
        Assert.False(second["replayed"]!.GetValue<bool>());
        Assert.True(first["submittedAt"]!.GetValue<DateTimeOffset>() <= second["submittedAt"]!.GetValue<DateTimeOffset>());
        await http.UntilStatusAsync(first.WriteId(), "applied");
        await http.UntilStatusAsync(second.WriteId(), "applied");
        var history = await app.HistoryAsync("customers", key);
        Assert.Equal([first.WriteId(), second.WriteId()], history.Select(v => v.WriteId));
    }

    static Task<PipelineApp> StartAsync(bool hostsWorker) => PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with
    {
        HostsWorker = hostsWorker,
        TestServices = services =>
        {
            services.AddSingleton(provider => new ConfirmFaults(provider.GetRequiredService<RabbitMqPartitionQueues>()));
            services.AddSingleton<IPartitionQueues>(provider => provider.GetRequiredService<ConfirmFaults>());
        },
    });

    static Task<HttpResponseMessage> SubmitAsync(HttpClient http, string key, string idempotencyKey, int n) =>
        http.PutAsync("customers", key, new JsonObject { ["n"] = n }, r => r.Headers.Add("Idempotency-Key", $"\"{idempotencyKey}\""));
}
