using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Webhooks;

/// <summary>An endpoint whose deliveries keep failing for longer than allowed is disabled (seconds here, days in production).</summary>
public sealed class FailingEndpointTests(FailingEndpointFixture fixture) : IClassFixture<FailingEndpointFixture>, IAsyncLifetime
{
    readonly PipelineApp _app = fixture.App;
    WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task An_endpoint_failing_for_too_long_is_disabled_and_its_conflicts_are_parked()
    {
        var (_, http) = await _app.CreateClientAsync();
        var url = _receiver.NewEndpoint(out var name);
        _receiver.Script(name, [.. Enumerable.Repeat(new WebhookReceiver.Answer(500), 20)]);
        var created = await (await http.PostAsJsonAsync("/v1/webhooks", new { url, events = new[] { "write.conflicted" } })).JsonAsync();
        var endpointId = created["endpoint"]!["id"]!.GetValue<Guid>();

        var writeId = await http.PatchAsync("customers", TestKeys.New("c"), new JsonObject { ["x"] = 1 }).AcceptedAsync();

        await http.UntilStatusAsync(writeId, "parked");
        JsonObject endpoint = [];
        await Eventually.UntilAsync(
            async () => (endpoint = await (await http.GetAsync($"/v1/webhooks/{endpointId}")).JsonAsync())["enabled"]!.GetValue<bool>() == false,
            "the endpoint is disabled");
        Assert.Contains("failed for", endpoint["disabledReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.InRange(_receiver.For(name).Count, 3, 6);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/v1/webhooks/{endpointId}/deliveries")).StatusCode);

        // Disabled by the pipeline, not by an operator: its client may enable it again once the receiver is fixed.
        var enabled = await (await http.PatchAsJsonAsync($"/v1/webhooks/{endpointId}", new { enabled = true })).JsonAsync();
        Assert.True(enabled["enabled"]!.GetValue<bool>());
        Assert.Null(enabled["disabledReason"]);
    }
}
