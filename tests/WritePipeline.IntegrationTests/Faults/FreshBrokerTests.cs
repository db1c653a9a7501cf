using System.Net;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Faults;

/// <summary>
/// On a broker that has never seen the topology, writes that arrive the moment the app is up are still all applied:
/// nothing is confirmed into an exchange with no queue bound (docs/architecture.md, "RabbitMQ behaviours").
/// </summary>
public sealed class FreshBrokerTests
{
    [Fact]
    public async Task On_a_brand_new_vhost_every_write_accepted_at_start_up_is_applied()
    {
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres);
        var (clientId, http) = await app.CreateClientAsync();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async i =>
            (await http.PutAsync("customers", $"fresh-{i}", new JsonObject { ["seq"] = 1 })).StatusCode));

        var accepted = statuses.Count(s => s == HttpStatusCode.Accepted);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, $"unexpected {s}"));
        Assert.True(accepted > 0);
        await app.UntilDrainedAsync(clientId, accepted, TimeSpan.FromMinutes(2));
        var history = await app.HistoryAsync("customers", "fresh-");
        Assert.Equal(accepted, history.Count);
    }
}
