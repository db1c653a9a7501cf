using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Testing;
using WritePipeline.IntegrationTests.Writes;

namespace WritePipeline.IntegrationTests.Partitioning;

/// <summary>
/// Two worker processes share the partitions (four each, through leases); one is killed with SIGKILL mid-stream and
/// the other takes its partitions over once their leases expire. Order and exactly-once must still hold.
/// </summary>
public sealed class TakeoverTests : IAsyncLifetime
{
    PipelineApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with { HostsWorker = false });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task When_one_of_two_workers_is_killed_the_other_takes_its_partitions_over_without_losing_doubling_or_reordering()
    {
        const int keys = 60;
        const int writesPerKey = 40;
        var (clientId, http) = await _app.CreateClientAsync();
        var prefix = "tko-" + Guid.NewGuid().ToString("N")[..6] + "-";
        var partitions = Enumerable.Range(0, 8).Select(PartitionMap.QueueName).ToList();

        await using var first = WorkerProcess.Start(_app.SharedSettings);
        await _app.UntilSharedAsync(first);
        await using var second = WorkerProcess.Start(_app.SharedSettings);
        await _app.UntilSharedAsync(first, second);

        var submitted = 0;
        var killed = false;
        await Parallel.ForEachAsync(Enumerable.Range(0, keys), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (k, _) =>
        {
            for (var seq = 1; seq <= writesPerKey; seq++)
            {
                var response = await http.PutAsync("customers", prefix + k, new JsonObject { ["seq"] = seq });
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                if (Interlocked.Increment(ref submitted) == keys * writesPerKey / 3)
                {
                    // Mid-stream: a third submitted, some applied, some in flight on the first worker.
                    await Eventually.UntilAsync(
                        () => _app.QueryAsync(db => db.Writes.AnyAsync(w => w.ClientId == clientId && w.Status == WriteStatus.Applied)),
                        "the first worker applies writes");
                    first.Kill();
                    killed = true;
                }
            }
        });

        Assert.True(killed);
        await _app.UntilDrainedAsync(clientId, keys * writesPerKey, TimeSpan.FromMinutes(3));
        Assert.False(second.HasExited, second.RecentOutput);

        OrderingTests.AssertInOrderWithoutGapsOrDuplicates(await _app.HistoryAsync("customers", prefix), keys, writesPerKey);
        var statuses = await _app.QueryAsync(db => db.Writes.Where(w => w.ClientId == clientId).GroupBy(w => w.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        Assert.Equal(keys * writesPerKey, Assert.Single(statuses, s => s.Key == WriteStatus.Applied).Count);
    }
}
