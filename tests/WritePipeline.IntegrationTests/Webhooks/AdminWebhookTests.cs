using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Webhooks;

/// <summary>
/// The operators' admin API over every client's webhook endpoints, against a real receiver that fails on purpose:
/// what operators see, who may act, and the audit log of what they did.
/// </summary>
public sealed class AdminWebhookTests(WebhooksFixture fixture) : IClassFixture<WebhooksFixture>, IAsyncLifetime
{
    readonly PipelineApp _app = fixture.App;
    WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    /// <summary>A fresh client with an endpoint on the receiver that answers 500 to everything, until told otherwise.</summary>
    async Task<(Guid ClientId, HttpClient Http, Guid EndpointId, string Name)> FailingEndpointAsync()
    {
        var (clientId, http) = await _app.CreateClientAsync("admin-webhooks");
        var url = _receiver.NewEndpoint(out var name);
        _receiver.Script(name, [.. Enumerable.Repeat(new WebhookReceiver.Answer(500), 50)]);
        var created = await http.PostAsJsonAsync("/v1/webhooks", new { url, events = new[] { "write.conflicted" }, description = "failing receiver" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (clientId, http, (await created.JsonAsync())["endpoint"]!["id"]!.GetValue<Guid>(), name);
    }

    static async Task<JsonObject> SummaryAsync(HttpClient @operator, Guid clientId, Guid endpointId)
    {
        var listed = await (await @operator.GetAsync($"/v1/admin/webhooks?client={clientId}")).Content.ReadFromJsonAsync<JsonArray>();
        return Assert.Single(listed!, e => e!["id"]!.GetValue<Guid>() == endpointId)!.AsObject();
    }

    static async Task<JsonObject> UntilDeliveryAsync(HttpClient @operator, Guid endpointId, string status)
    {
        JsonObject delivery = [];
        await Eventually.UntilAsync(
            async () =>
            {
                var page = await (await @operator.GetAsync($"/v1/admin/webhooks/{endpointId}/deliveries")).JsonAsync();
                delivery = page["items"]!.AsArray().FirstOrDefault() as JsonObject ?? [];
                return delivery.Count > 0 && delivery["status"]!.GetValue<string>() == status;
            },
            $"the endpoint's delivery is {status}");
        return delivery;
    }

    [Fact]
    public async Task Operators_see_a_failing_endpoint_disable_and_enable_it_and_resend_its_delivery_and_every_action_is_audited()
    {
        // Arrange: a conflict whose notification fails every attempt.
        var (clientId, http, endpointId, name) = await FailingEndpointAsync();
        var writeId = await http.PatchAsync("customers", TestKeys.New("c"), new JsonObject { ["x"] = 1 }).AcceptedAsync();
        var viewer = await _app.CreateOperatorAsync("viewer");
        var @operator = await _app.CreateOperatorAsync("operator");

        // A viewer sees it failing, and its deliveries with every attempt.
        var failed = await UntilDeliveryAsync(viewer, endpointId, "failed");
        Assert.Equal(writeId, failed["writeId"]!.GetValue<Guid>());
        Assert.All(failed["attemptLog"]!.AsArray(), a => Assert.Equal(500, a!["statusCode"]!.GetValue<int>()));
        var failing = await SummaryAsync(viewer, clientId, endpointId);
        Assert.Equal(clientId, failing["clientId"]!.GetValue<Guid>());
        Assert.Equal("admin-webhooks", failing["clientName"]!.GetValue<string>());
        Assert.Equal(["write.conflicted"], failing["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.True(failing["enabled"]!.GetValue<bool>());
        Assert.True(failing["failureStreak"]!.GetValue<int>() > 0);
        Assert.NotNull(failing["failingSince"]);
        Assert.Equal(500, failing["lastStatusCode"]!.GetValue<int>());
        Assert.NotNull(failing["lastDeliveryAt"]);
        Assert.Equal(0, failing["pending"]!.GetValue<int>());
        Assert.Equal(1, failing["failedLast24h"]!.GetValue<int>());
        Assert.DoesNotContain("whsec_", failing.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret", failing.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        var everyone = await (await viewer.GetAsync("/v1/admin/webhooks")).Content.ReadFromJsonAsync<JsonArray>();
        Assert.Contains(everyone!, e => e!["id"]!.GetValue<Guid>() == endpointId);

        // A viewer may look, not act.
        await Api.AssertProblemAsync(await viewer.PostAsJsonAsync($"/v1/admin/webhooks/{endpointId}/disable", new { reason = "viewer tries" }), HttpStatusCode.Forbidden, "forbidden");
        await Api.AssertProblemAsync(await viewer.PostAsync($"/v1/admin/webhooks/{endpointId}/enable", null), HttpStatusCode.Forbidden, "forbidden");
        await Api.AssertProblemAsync(await viewer.PostAsync($"/v1/admin/webhooks/{endpointId}/deliveries/{failed["id"]}/resend", null), HttpStatusCode.Forbidden, "forbidden");

        // An operator disables it, saying why; the client sees the reason too (not the operator's name), and the audit log has the action.
        var disabled = await (await @operator.PostAsJsonAsync($"/v1/admin/webhooks/{endpointId}/disable", new { reason = "receiver is down" })).JsonAsync();
        Assert.False(disabled["enabled"]!.GetValue<bool>());
        var disabledReason = disabled["disabledReason"]!.GetValue<string>();
        Assert.StartsWith("disabled by operator:", disabledReason, StringComparison.Ordinal);
        Assert.EndsWith(": receiver is down", disabledReason, StringComparison.Ordinal);
        var seenByClient = await (await http.GetAsync($"/v1/webhooks/{endpointId}")).JsonAsync();
        Assert.False(seenByClient["enabled"]!.GetValue<bool>());
        Assert.Equal("disabled by an operator: receiver is down", seenByClient["disabledReason"]!.GetValue<string>());

        // The client may change the endpoint, but not enable it again: that is the operator's to undo.
        var reenable = await http.PatchAsJsonAsync($"/v1/webhooks/{endpointId}", new { enabled = true, description = "fixed" });
        Assert.Contains("only an operator", (await Api.AssertProblemAsync(reenable, HttpStatusCode.Conflict, "endpoint-disabled-by-operator"))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var renamed = await (await http.PatchAsJsonAsync($"/v1/webhooks/{endpointId}", new { description = "fixed" })).JsonAsync();
        Assert.Equal(("fixed", false), (renamed["description"]!.GetValue<string>(), renamed["enabled"]!.GetValue<bool>()));
        var disableEntry = await AuditEntryAsync(viewer, "webhook.disable", endpointId);
        Assert.StartsWith("operator:", disableEntry["actor"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("taken", disableEntry["outcome"]!.GetValue<string>());
        Assert.Equal("receiver is down", disableEntry["reason"]!.GetValue<string>());
        Assert.Contains(_receiver.BaseUrl, disableEntry["subject"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(JsonNode.Parse(disableEntry["before"]!.GetValue<string>())!["enabled"]!.GetValue<bool>());
        Assert.False(JsonNode.Parse(disableEntry["after"]!.GetValue<string>())!["enabled"]!.GetValue<bool>());

        // Enabled again (no body): a fresh start.
        var enabled = await (await @operator.PostAsync($"/v1/admin/webhooks/{endpointId}/enable", null)).JsonAsync();
        Assert.True(enabled["enabled"]!.GetValue<bool>());
        Assert.Null(enabled["disabledReason"]);
        Assert.Equal(0, enabled["failureStreak"]!.GetValue<int>());
        Assert.Null(enabled["failingSince"]);
        Assert.Equal("taken", (await AuditEntryAsync(viewer, "webhook.enable", endpointId))["outcome"]!.GetValue<string>());

        // The receiver recovers; a resend delivers the same message.
        _receiver.Script(name);
        var resend = await @operator.PostAsync($"/v1/admin/webhooks/{endpointId}/deliveries/{failed["id"]}/resend", null);
        Assert.Equal(HttpStatusCode.Accepted, resend.StatusCode);
        var delivered = await UntilDeliveryAsync(@operator, endpointId, "succeeded");
        Assert.Equal(failed["id"]!.GetValue<Guid>(), delivered["id"]!.GetValue<Guid>());
        Assert.Equal(200, delivered["lastStatusCode"]!.GetValue<int>());
        Assert.Single(_receiver.For(name).Select(r => r.Id).Distinct());
        var resendEntry = await AuditEntryAsync(viewer, "webhook.resend", endpointId);
        Assert.Equal(writeId, resendEntry["writeId"]!.GetValue<Guid>());
        var recovered = await SummaryAsync(viewer, clientId, endpointId);
        Assert.Equal(0, recovered["failureStreak"]!.GetValue<int>());
        Assert.Equal(200, recovered["lastStatusCode"]!.GetValue<int>());
        Assert.Equal(0, recovered["failedLast24h"]!.GetValue<int>());
    }

    [Fact]
    public async Task Operators_are_answered_with_problems_for_unknown_endpoints_and_overlong_reasons()
    {
        var (clientId, _, endpointId, _) = await FailingEndpointAsync();
        var @operator = await _app.CreateOperatorAsync("operator");
        var (_, other) = await _app.CreateClientAsync();

        await Api.AssertProblemAsync(await @operator.GetAsync($"/v1/admin/webhooks/{Guid.NewGuid()}/deliveries"), HttpStatusCode.NotFound, "webhook-not-found");
        await Api.AssertProblemAsync(await @operator.PostAsync($"/v1/admin/webhooks/{Guid.NewGuid()}/enable", null), HttpStatusCode.NotFound, "webhook-not-found");
        await Api.AssertProblemAsync(await @operator.PostAsync("/v1/admin/webhooks/not-an-id/disable", null), HttpStatusCode.NotFound, "webhook-not-found");
        await Api.AssertProblemAsync(await @operator.PostAsync($"/v1/admin/webhooks/{endpointId}/deliveries/{Guid.NewGuid()}/resend", null), HttpStatusCode.NotFound, "webhook-not-found");
        await Api.AssertProblemAsync(
            await @operator.PostAsJsonAsync($"/v1/admin/webhooks/{endpointId}/disable", new { reason = new string('r', 301) }), HttpStatusCode.BadRequest, "invalid-webhook-action");
        Assert.True((await SummaryAsync(@operator, clientId, endpointId))["enabled"]!.GetValue<bool>());
        Assert.Equal("invalid", (await AuditEntryAsync(@operator, "webhook.disable", endpointId))["outcome"]!.GetValue<string>());

        // Another client's list holds nothing of this one, for operators as for the client itself.
        var (otherId, _) = await _app.CreateClientAsync();
        Assert.Empty((await (await @operator.GetAsync($"/v1/admin/webhooks?client={otherId}")).Content.ReadFromJsonAsync<JsonArray>())!);
        await Api.AssertProblemAsync(await other.GetAsync($"/v1/webhooks/{endpointId}/deliveries"), HttpStatusCode.NotFound, "webhook-not-found");
    }

    [Fact]
    public async Task Api_client_keys_open_no_admin_webhook_endpoint()
    {
        var (_, http, endpointId, _) = await FailingEndpointAsync();

        await Api.AssertProblemAsync(await http.GetAsync("/v1/admin/webhooks"), HttpStatusCode.Unauthorized, "unauthorized");
        await Api.AssertProblemAsync(await http.GetAsync($"/v1/admin/webhooks/{endpointId}/deliveries"), HttpStatusCode.Unauthorized, "unauthorized");
        await Api.AssertProblemAsync(await http.PostAsync($"/v1/admin/webhooks/{endpointId}/disable", null), HttpStatusCode.Unauthorized, "unauthorized");
        await Api.AssertProblemAsync(await _app.CreateClient().GetAsync("/v1/admin/webhooks"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    static async Task<JsonObject> AuditEntryAsync(HttpClient @operator, string action, Guid endpointId)
    {
        var page = await (await @operator.GetAsync($"/v1/admin/audit?action={action}")).JsonAsync();
        return Assert.Single(
            page["items"]!.AsArray(),
            e => e!["subject"]!.GetValue<string>().StartsWith(endpointId.ToString(), StringComparison.Ordinal))!.AsObject();
    }
}

/// <summary>The operators' summary on SQLite, whose dates are numbers: its figures are subqueries over dates and statuses.</summary>
public sealed class EmbeddedSqliteAdminWebhookTests(EmbeddedSqliteFixture fixture) : IClassFixture<EmbeddedSqliteFixture>
{
    readonly PipelineApp _app = fixture.App;

    [Fact]
    public async Task The_summary_counts_pending_and_recently_failed_deliveries_and_shows_the_newest_attempted_one()
    {
        var (clientId, http) = await _app.CreateClientAsync("sqlite-webhooks");
        var created = await http.PostAsJsonAsync("/v1/webhooks", new { url = "https://example.com/hooks/sqlite", events = new[] { "write.conflicted" } });
        var endpointId = (await created.JsonAsync())["endpoint"]!["id"]!.GetValue<Guid>();
        var now = DateTimeOffset.UtcNow;
        await _app.QueryAsync(async db =>
        {
            // Written directly, none of them due: no worker attempts them while the test reads.
            db.WebhookDeliveries.AddRange(
                Delivery(endpointId, clientId, now.AddDays(-3), "failed", attempts: 4, lastStatusCode: 500, completedAt: now.AddDays(-2)),
                Delivery(endpointId, clientId, now.AddMinutes(-10), "failed", attempts: 4, lastStatusCode: 502, completedAt: now.AddMinutes(-5)),
                Delivery(endpointId, clientId, now.AddMinutes(-2), "pending", attempts: 1, lastStatusCode: 503, nextAttemptAt: now.AddHours(1)),
                Delivery(endpointId, clientId, now.AddMinutes(-1), "pending", attempts: 0, lastStatusCode: null, nextAttemptAt: now.AddHours(1)));
            return await db.SaveChangesAsync();
        });
        var viewer = await _app.CreateOperatorAsync("viewer");

        var summary = Assert.Single((await (await viewer.GetAsync($"/v1/admin/webhooks?client={clientId}")).Content.ReadFromJsonAsync<JsonArray>())!)!;

        Assert.Equal("sqlite-webhooks", summary["clientName"]!.GetValue<string>());
        Assert.Equal(2, summary["pending"]!.GetValue<int>());
        Assert.Equal(1, summary["failedLast24h"]!.GetValue<int>());
        Assert.Equal(503, summary["lastStatusCode"]!.GetValue<int>());
        Assert.InRange(summary["lastDeliveryAt"]!.GetValue<DateTimeOffset>(), now.AddMinutes(-3), now.AddMinutes(-1).AddSeconds(-1));
        Assert.Equal(4, (await (await viewer.GetAsync($"/v1/admin/webhooks/{endpointId}/deliveries")).JsonAsync())["items"]!.AsArray().Count);
        var openApi = await (await _app.CreateClient().GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync();
        Assert.Contains("AdminListWebhooks", openApi, StringComparison.Ordinal);
        Assert.Contains("AdminDisableWebhook", openApi, StringComparison.Ordinal);
    }

    static WritePipeline.Webhooks.WebhookDelivery Delivery(
        Guid endpointId, Guid clientId, DateTimeOffset createdAt, string status, int attempts, int? lastStatusCode,
        DateTimeOffset? completedAt = null, DateTimeOffset? nextAttemptAt = null) => new()
    {
        Id = Guid.NewGuid(),
        EndpointId = endpointId,
        ClientId = clientId,
        EventType = "write.conflicted",
        WriteId = Guid.NewGuid(),
        Payload = "{}",
        Status = status,
        Attempts = attempts,
        LastStatusCode = lastStatusCode,
        CreatedAt = createdAt,
        CompletedAt = completedAt,
        NextAttemptAt = nextAttemptAt,
    };
}
