using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using WritePipeline.Problems;

namespace WritePipeline.IntegrationTests.Writes;

public sealed class IdempotencyAndAuthTests(RabbitMqPostgresFixture fixture) : IClassFixture<RabbitMqPostgresFixture>
{
    readonly PipelineApp _app = fixture.App;

    static Action<HttpRequestMessage> IdempotencyKey(string key) => r => r.Headers.TryAddWithoutValidation("Idempotency-Key", $"\"{key}\"");

    [Fact]
    public async Task Repeating_a_request_with_its_idempotency_key_returns_the_same_receipt_and_applies_once()
    {
        var (clientId, http) = await _app.CreateClientAsync();
        var key = "idem-" + Guid.NewGuid().ToString("N")[..8];
        var idempotencyKey = Guid.NewGuid().ToString();

        var first = await http.PutAsync("customers", key, new JsonObject { ["n"] = 1 }, IdempotencyKey(idempotencyKey));
        var firstReceipt = await first.JsonAsync();
        await http.UntilFinalAsync(firstReceipt.WriteId());
        var repeats = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => http.PutAsync("customers", key, new JsonObject { ["n"] = 1 }, IdempotencyKey(idempotencyKey))));

        Assert.False(firstReceipt["replayed"]!.GetValue<bool>());
        firstReceipt.Remove("replayed");
        foreach (var repeat in repeats)
        {
            Assert.Equal(HttpStatusCode.Accepted, repeat.StatusCode);
            Assert.Equal("true", repeat.Headers.GetValues("Idempotent-Replayed").Single());
            // The first receipt, saying it is a replay.
            var receipt = await repeat.JsonAsync();
            Assert.True(receipt["replayed"]!.GetValue<bool>());
            receipt.Remove("replayed");
            Assert.True(JsonNode.DeepEquals(firstReceipt, receipt));
        }

        Assert.Single(await _app.HistoryAsync("customers", key));
        await _app.UntilDrainedAsync(clientId, 1);
    }

    [Fact]
    public async Task Concurrent_first_requests_with_one_idempotency_key_make_one_write()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = "idem-race-" + Guid.NewGuid().ToString("N")[..8];
        var idempotencyKey = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => http.PatchAsync("customers", key, new JsonObject { ["n"] = 1 }, IdempotencyKey(idempotencyKey))));

        var writeIds = new HashSet<Guid>();
        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            writeIds.Add((await response.JsonAsync()).WriteId());
        }

        Assert.Single(writeIds);
    }

    [Fact]
    public async Task The_same_idempotency_key_with_a_different_request_is_refused()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = "idem-" + Guid.NewGuid().ToString("N")[..8];
        await http.PutAsync("customers", key, new JsonObject { ["n"] = 1 }, IdempotencyKey("k-1"));

        var different = await http.PutAsync("customers", key, new JsonObject { ["n"] = 2 }, IdempotencyKey("k-1"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, different.StatusCode);
        Assert.Equal(ProblemCatalog.TypeOf("idempotency-key-mismatch"), (await different.JsonAsync()).ProblemType());
    }

    [Fact]
    public async Task Idempotency_keys_belong_to_their_client()
    {
        var (_, alice) = await _app.CreateClientAsync("alice");
        var (_, bob) = await _app.CreateClientAsync("bob");
        var key = "idem-" + Guid.NewGuid().ToString("N")[..8];

        var fromAlice = await (await alice.PutAsync("customers", key, new JsonObject { ["n"] = 1 }, IdempotencyKey("shared"))).JsonAsync();
        var fromBob = await (await bob.PutAsync("customers", key, new JsonObject { ["n"] = 2 }, IdempotencyKey("shared"))).JsonAsync();

        Assert.NotEqual(fromAlice.WriteId(), fromBob.WriteId());
    }

    [Fact]
    public async Task Another_clients_write_reads_as_not_found()
    {
        var (_, alice) = await _app.CreateClientAsync("alice");
        var (_, bob) = await _app.CreateClientAsync("bob");
        var receipt = await (await alice.PutAsync("customers", "scoped-" + Guid.NewGuid().ToString("N")[..8], new JsonObject { ["n"] = 1 })).JsonAsync();

        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/v1/writes/{receipt.WriteId()}")).StatusCode);
        var fromBob = await bob.GetAsync($"/v1/writes/{receipt.WriteId()}");
        Assert.Equal(HttpStatusCode.NotFound, fromBob.StatusCode);
        Assert.Equal(ProblemCatalog.TypeOf("write-not-found"), (await fromBob.JsonAsync()).ProblemType());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wp_not-a-real-key")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task A_missing_or_wrong_api_key_gets_401(string? authorization)
    {
        var http = _app.CreateClient();
        if (authorization is not null)
        {
            http.DefaultRequestHeaders.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        var put = await http.PutAsync("customers", "c1", new JsonObject { ["n"] = 1 });
        var status = await http.GetAsync($"/v1/writes/{Guid.NewGuid()}");

        foreach (var response in new[] { put, status })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Equal(ProblemCatalog.TypeOf("unauthorized"), (await response.JsonAsync()).ProblemType());
        }
    }
}
