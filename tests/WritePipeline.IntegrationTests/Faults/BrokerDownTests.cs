using System.Net;
using System.Text.Json.Nodes;
using WritePipeline.Problems;

namespace WritePipeline.IntegrationTests.Faults;

/// <summary>With no broker to confirm a write, the client is told so (503: it may or may not be on the broker), and nothing is recorded.</summary>
public sealed class BrokerDownTests
{
    [Fact]
    public async Task A_write_the_broker_cannot_confirm_gets_503_with_retry_after_and_leaves_nothing_in_the_database()
    {
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with
        {
            HostsWorker = false,
            Overrides = new Dictionary<string, string?>
            {
                // Nothing listens on this port: the broker is down.
                ["WritePipeline:Transport:RabbitMq:Port"] = "1",
                ["WritePipeline:Transport:SendTimeout"] = "00:00:02",
            },
        });
        var (clientId, http) = await app.CreateClientAsync();

        var response = await http.PutAsync("customers", "while-down", new JsonObject { ["n"] = 1 });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var problem = await response.JsonAsync();
        Assert.Equal(ProblemCatalog.TypeOf("broker-unavailable"), problem.ProblemType());
        Assert.Contains("may or may not be on the broker", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, await app.QueryAsync(db => Task.FromResult(db.Writes.Count(w => w.ClientId == clientId))));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task A_write_the_broker_cannot_route_gets_503_instead_of_being_dropped()
    {
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with { HostsWorker = false });
        var (_, http) = await app.CreateClientAsync();
        await app.UntilReadyAsync();
        var partition = new WritePipeline.Partitioning.PartitionMap(8).PartitionOf("customers", "unroutable");
        await app.VirtualHost!.UnbindAsync(WritePipeline.Partitioning.PartitionMap.QueueName(partition));

        var response = await http.PutAsync("customers", "unroutable", new JsonObject { ["n"] = 1 });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(ProblemCatalog.TypeOf("broker-unavailable"), (await response.JsonAsync()).ProblemType());
    }
}
