using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Writes;

/// <summary>
/// A partition whose backlog is over <c>Api:MaxPartitionBacklog</c> refuses new writes with 503 <c>backlog-full</c>
/// and Retry-After (nothing recorded), while the other partitions keep accepting.
/// </summary>
public sealed class BacklogLimitTests
{
    const int Limit = 5;

    [Fact]
    public async Task A_full_partition_answers_503_backlog_full_while_another_partition_accepts()
    {
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with
        {
            // No worker: the queue only grows.
            HostsWorker = false,
            Overrides = new Dictionary<string, string?> { ["WritePipeline:Api:MaxPartitionBacklog"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        });
        await app.UntilReadyAsync();
        var (_, http) = await app.CreateClientAsync();
        var partitions = app.Services.GetRequiredService<PartitionMap>();
        var full = KeysOn(partitions, partition: 2).GetEnumerator();
        var other = KeysOn(partitions, partition: 5).GetEnumerator();

        // Fill partition 2 past the limit; once the broker's count (read about once a second) says so, it refuses.
        var accepted = 0;
        HttpResponseMessage? refused = null;
        await Eventually.UntilAsync(
            async () =>
            {
                full.MoveNext();
                var response = await http.PutAsync("customers", full.Current, new JsonObject { ["n"] = 1 });
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    accepted++;
                    await Task.Delay(100);
                    return false;
                }

                refused = response;
                return true;
            },
            "partition 2 refuses writes",
            TimeSpan.FromSeconds(30));

        Assert.True(accepted >= Limit, $"refused after only {accepted} writes");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused!.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        var problem = await refused.JsonAsync();
        Assert.EndsWith("/backlog-full", problem["type"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(await app.QueryAsync(db => db.Writes.AnyAsync(w => w.Key == full.Current)), "a refused write is not recorded");

        // At the same moment another partition accepts.
        other.MoveNext();
        Assert.Equal(HttpStatusCode.Accepted, (await http.PutAsync("customers", other.Current, new JsonObject { ["n"] = 1 })).StatusCode);
        full.MoveNext();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.PutAsync("customers", full.Current, new JsonObject { ["n"] = 1 })).StatusCode);
    }

    static IEnumerable<string> KeysOn(PartitionMap partitions, int partition)
    {
        while (true)
        {
            var key = $"backlog-{Guid.NewGuid():N}";
            if (partitions.PartitionOf("customers", key) == partition)
            {
                yield return key;
            }
        }
    }
}
