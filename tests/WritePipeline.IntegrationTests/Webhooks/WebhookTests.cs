using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Webhooks;

/// <summary>
/// Webhooks through the real pipeline (RabbitMQ + PostgreSQL, Quartz timers) to a real receiver that verifies every
/// delivery with the StandardWebhooks package and misbehaves on purpose.
/// </summary>
public sealed class WebhookTests(WebhooksFixture fixture) : IClassFixture<WebhooksFixture>, IAsyncLifetime
{
    readonly PipelineApp _app = fixture.App;
    WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    async Task<(HttpClient Http, Guid EndpointId, string Name, string Secret)> SubscribedClientAsync(params string[] events)
    {
        var (_, http) = await _app.CreateClientAsync();
        var url = _receiver.NewEndpoint(out var name);
        var created = await http.PostAsJsonAsync("/v1/webhooks", new { url, events, description = "test receiver" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.JsonAsync();
        var secret = body["secret"]!.GetValue<string>();
        _receiver.Trust(name, secret);
        return (http, body["endpoint"]!["id"]!.GetValue<Guid>(), name, secret);
    }

    /// <summary>A write that conflicts (a patch of a record that does not exist).</summary>
    static Task<Guid> ConflictAsync(HttpClient http) =>
        http.PatchAsync("customers", TestKeys.New("c"), new JsonObject { ["name"] = "x" }).AcceptedAsync();

    async Task<IReadOnlyList<ReceivedWebhook>> UntilReceivedAsync(string name, int count, Func<ReceivedWebhook, bool>? which = null)
    {
        IReadOnlyList<ReceivedWebhook> received = [];
        await Eventually.UntilAsync(
            () =>
            {
                received = [.. _receiver.For(name).Where(which ?? (_ => true))];
                return Task.FromResult(received.Count >= count);
            },
            $"{count} deliveries reach {name}");
        return received;
    }

    static async Task<JsonObject> DeliveryAsync(HttpClient http, Guid endpointId, Func<JsonNode, bool> which, Func<JsonNode, bool> until)
    {
        JsonObject delivery = [];
        await Eventually.UntilAsync(
            async () =>
            {
                var page = await (await http.GetAsync($"/v1/webhooks/{endpointId}/deliveries")).JsonAsync();
                delivery = page["items"]!.AsArray().FirstOrDefault(d => which(d!)) as JsonObject ?? [];
                return delivery.Count > 0 && until(delivery);
            },
            "the delivery log shows the expected state");
        return delivery;
    }

    [Fact]
    public async Task Endpoints_are_managed_by_their_client_and_show_the_secret_only_once()
    {
        var (http, id, _, secret) = await SubscribedClientAsync("write.conflicted");
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.True(Convert.FromBase64String(secret["whsec_".Length..]).Length >= 24);

        var listed = await (await http.GetAsync("/v1/webhooks")).Content.ReadFromJsonAsync<JsonArray>();
        Assert.Equal(id, Assert.Single(listed!)!["id"]!.GetValue<Guid>());
        Assert.DoesNotContain("secret", listed!.ToJsonString(), StringComparison.Ordinal);

        var updated = await (await http.PatchAsJsonAsync($"/v1/webhooks/{id}", new { events = new[] { "write.parked", "write.applied" }, enabled = false })).JsonAsync();
        Assert.Equal(["write.parked", "write.applied"], updated["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.False(updated["enabled"]!.GetValue<bool>());

        var (_, other) = await _app.CreateClientAsync();
        await Api.AssertProblemAsync(await other.GetAsync($"/v1/webhooks/{id}"), HttpStatusCode.NotFound, "webhook-not-found");
        await Api.AssertProblemAsync(await http.PostAsJsonAsync("/v1/webhooks", new { url = "ftp://example.com/x", events = new[] { "write.parked" } }), HttpStatusCode.BadRequest, "invalid-webhook");
        await Api.AssertProblemAsync(await http.PostAsJsonAsync("/v1/webhooks", new { url = "https://example.com/x", events = new[] { "write.exploded" } }), HttpStatusCode.BadRequest, "invalid-webhook");
        await Api.AssertProblemAsync(await http.PostAsJsonAsync("/v1/webhooks", new { url = "https://example.com/x", events = Array.Empty<string>() }), HttpStatusCode.BadRequest, "invalid-webhook");

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/v1/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/v1/webhooks/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_subscribed_submitter_is_notified_by_a_signed_webhook_and_hears_of_the_resolution()
    {
        var (http, _, name, _) = await SubscribedClientAsync("write.conflicted", "write.resolved");
        var writeId = await ConflictAsync(http);

        var status = await http.UntilStatusAsync(writeId, "notified");
        Assert.Equal(["retry", "resubmit", "discard"], status["actions"]!.AsArray().Select(a => a!.GetValue<string>()));
        var notification = Assert.Single(await UntilReceivedAsync(name, 1));
        Assert.Equal([true], notification.VerifiedBy);
        Assert.StartsWith("msg_", notification.Id, StringComparison.Ordinal);
        Assert.Equal("write.conflicted", notification.Type);
        // Written readably: the offset's '+' as it is, not \u002B.
        Assert.Matches("\"timestamp\":\"[0-9T:.-]+\\+00:00\"", notification.Body);
        var data = notification.Json["data"]!;
        Assert.Equal(writeId, data["writeId"]!.GetValue<Guid>());
        Assert.Equal("not_found", data["conflict"]!["type"]!.GetValue<string>());
        Assert.Equal($"/v1/writes/{writeId}/resolution", data["links"]!["resolution"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(writeId, "discard", reason: "never mind")).StatusCode);
        var resolved = (await UntilReceivedAsync(name, 1, r => r.Type == "write.resolved")).Single();
        Assert.Equal([true], resolved.VerifiedBy);
        Assert.Equal("discarded", resolved.Json["data"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_notified_submitter_decides_with_rebase_overwrite_or_resubmit()
    {
        var (http, _, _, _) = await SubscribedClientAsync("write.conflicted");
        var key = TestKeys.New("c");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["name"] = "Ada", ["tier"] = "gold" }));
        await http.AppliedAsync(http.PatchAsync("customers", key, new JsonObject { ["tier"] = "platinum" }));

        var stalePatch = await http.PatchAsync("customers", key, new JsonObject { ["name"] = "Ada L." }, Api.IfMatch(1)).AcceptedAsync();
        await http.UntilStatusAsync(stalePatch, "notified");
        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(stalePatch, "rebase")).StatusCode);
        Assert.Equal(3, (await http.UntilStatusAsync(stalePatch, "applied"))["version"]!.GetValue<long>());

        var staleReplace = await http.PutAsync("customers", key, new JsonObject { ["name"] = "Bob" }, Api.IfMatch(1)).AcceptedAsync();
        await http.UntilStatusAsync(staleReplace, "notified");
        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(staleReplace, "overwrite")).StatusCode);
        Assert.Equal(4, (await http.UntilStatusAsync(staleReplace, "applied"))["version"]!.GetValue<long>());

        var staleAgain = await http.PutAsync("customers", key, new JsonObject { ["name"] = "Carl" }, Api.IfMatch(1)).AcceptedAsync();
        await http.UntilStatusAsync(staleAgain, "notified");
        Assert.Equal(HttpStatusCode.Accepted, (await http.ResolveAsync(staleAgain, "resubmit", new JsonObject { ["name"] = "Cora" })).StatusCode);
        await http.UntilStatusAsync(staleAgain, "applied");
        Assert.Equal("Cora", (await (await http.GetAsync(Api.RecordPath("customers", key))).JsonAsync())["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_client_whose_policy_is_park_is_not_notified_even_with_an_endpoint()
    {
        var (http, _, name, _) = await SubscribedClientAsync("write.conflicted", "write.parked");
        var clientId = (await _app.QueryAsync(db => db.WebhookEndpoints.AsNoTracking().SingleAsync(e => e.Url.EndsWith(name)))).ClientId;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<WritePipeline.Clients.ClientRegistry>().SetConflictPolicyAsync(clientId, "park", CancellationToken.None));
        }

        var writeId = await ConflictAsync(http);

        await http.UntilStatusAsync(writeId, "parked");
        var parked = Assert.Single(await UntilReceivedAsync(name, 1));
        Assert.Equal("write.parked", parked.Type);
    }

    [Fact]
    public async Task Failed_attempts_are_retried_on_schedule_with_the_same_id_and_each_is_logged()
    {
        var (http, endpointId, name, _) = await SubscribedClientAsync("write.conflicted");
        _receiver.Script(name, new WebhookReceiver.Answer(500), new(503));
        var writeId = await ConflictAsync(http);

        var attempts = await UntilReceivedAsync(name, 3);

        Assert.Single(attempts.Select(a => a.Id).Distinct());
        Assert.All(attempts, a => Assert.Equal([true], a.VerifiedBy));
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromMilliseconds(900), "the first retry waits its second");
        var delivery = await DeliveryAsync(http, endpointId, d => d["writeId"]!.GetValue<Guid>() == writeId, d => d["status"]!.GetValue<string>() == "succeeded");
        Assert.Equal([500, 503, 200], delivery["attemptLog"]!.AsArray().Select(a => a!["statusCode"]!.GetValue<int>()));
        Assert.Contains("answer 500", delivery["attemptLog"]![0]!["responseExcerpt"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("notified", (await http.UntilStatusAsync(writeId, "notified"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_429_is_retried_after_the_receivers_retry_after()
    {
        var (http, _, name, _) = await SubscribedClientAsync("write.conflicted");
        _receiver.Script(name, new WebhookReceiver.Answer(429, RetryAfter: "3"));
        await ConflictAsync(http);

        var attempts = await UntilReceivedAsync(name, 2);

        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromSeconds(2.8), $"waited {attempts[1].At - attempts[0].At}");
    }

    [Fact]
    public async Task A_410_disables_the_endpoint_and_parks_the_write_it_could_not_notify()
    {
        var (http, endpointId, name, _) = await SubscribedClientAsync("write.conflicted");
        _receiver.Script(name, new WebhookReceiver.Answer(410));
        var writeId = await ConflictAsync(http);

        await http.UntilStatusAsync(writeId, "parked");
        var endpoint = await (await http.GetAsync($"/v1/webhooks/{endpointId}")).JsonAsync();
        Assert.False(endpoint["enabled"]!.GetValue<bool>());
        Assert.Contains("410", endpoint["disabledReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(_receiver.For(name));
    }

    [Fact]
    public async Task When_every_attempt_fails_the_delivery_fails_and_the_write_is_parked_and_a_resend_delivers_it()
    {
        var (http, endpointId, name, _) = await SubscribedClientAsync("write.conflicted");
        _receiver.Script(name, new WebhookReceiver.Answer(500), new(500), new(500), new(500));
        var writeId = await ConflictAsync(http);

        await http.UntilStatusAsync(writeId, "parked");
        var failed = await DeliveryAsync(http, endpointId, d => d["writeId"]!.GetValue<Guid>() == writeId, d => d["status"]!.GetValue<string>() == "failed");
        Assert.Equal(4, failed["attempts"]!.GetValue<int>());

        var resend = await http.PostAsync($"/v1/webhooks/{endpointId}/deliveries/{failed["id"]}/resend", null);
        Assert.Equal(HttpStatusCode.Accepted, resend.StatusCode);
        var delivered = await DeliveryAsync(http, endpointId, d => d["writeId"]!.GetValue<Guid>() == writeId, d => d["status"]!.GetValue<string>() == "succeeded");
        Assert.Equal(5, delivered["attempts"]!.GetValue<int>());
        Assert.Single(_receiver.For(name).Select(r => r.Id).Distinct());
    }

    [Fact]
    public async Task A_slow_receiver_times_out_without_holding_up_the_partitions()
    {
        var (http, endpointId, name, _) = await SubscribedClientAsync("write.conflicted");
        _receiver.Script(name, new WebhookReceiver.Answer(200, Delay: TimeSpan.FromSeconds(10)));
        var writeId = await ConflictAsync(http);
        await UntilReceivedAsync(name, 1);

        // While the receiver sits on the delivery, writes keep being applied.
        for (var i = 0; i < 5; i++)
        {
            await http.AppliedAsync(http.PutAsync("customers", TestKeys.New("c"), new JsonObject { ["n"] = i }));
        }

        var delivery = await DeliveryAsync(http, endpointId, d => d["writeId"]!.GetValue<Guid>() == writeId, d => d["status"]!.GetValue<string>() == "succeeded");
        var first = delivery["attemptLog"]![0]!;
        Assert.Null(first["statusCode"]);
        Assert.Contains("No response within", first["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_rotation_both_secrets_sign_during_the_overlap()
    {
        var (http, endpointId, name, oldSecret) = await SubscribedClientAsync("write.conflicted");
        var rotated = await (await http.PostAsync($"/v1/webhooks/{endpointId}/secret", null)).JsonAsync();
        var newSecret = rotated["secret"]!.GetValue<string>();
        Assert.NotEqual(oldSecret, newSecret);
        _receiver.Trust(name, oldSecret, newSecret);

        await ConflictAsync(http);

        var delivery = Assert.Single(await UntilReceivedAsync(name, 1));
        Assert.True(delivery.VerifiedBy is [true, true], $"verified by old, new: {string.Join(", ", delivery.VerifiedBy)}; {delivery.Signature}");
        Assert.Equal(2, delivery.Signature.Split(' ').Length);
    }

    [Fact]
    public async Task Held_and_applied_writes_are_reported_to_endpoints_that_subscribe()
    {
        var (http, _, name, _) = await SubscribedClientAsync("write.held", "write.applied");
        var key = TestKeys.New("c");
        await http.AppliedAsync(http.PutAsync("customers", key, new JsonObject { ["v"] = 1 }));
        var stale = await http.PutAsync("customers", key, new JsonObject { ["v"] = 2 }, Api.IfMatch(9)).AcceptedAsync();
        await http.UntilStatusAsync(stale, "parked");
        var held = await http.PatchAsync("customers", key, new JsonObject { ["v"] = 3 }).AcceptedAsync();

        var heldEvent = (await UntilReceivedAsync(name, 1, r => r.Type == "write.held")).Single();
        Assert.Equal(held, heldEvent.Json["data"]!["writeId"]!.GetValue<Guid>());
        Assert.Equal(stale, heldEvent.Json["data"]!["heldBehind"]!["writeId"]!.GetValue<Guid>());
        Assert.True(heldEvent.Json["data"]!["heldBehind"]!["own"]!.GetValue<bool>());
        Assert.Single(await UntilReceivedAsync(name, 1, r => r.Type == "write.applied"));
    }
}
