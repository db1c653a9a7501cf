using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Contracts;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Faults;

/// <summary>
/// A write recorded by an API process that died before the broker confirmed it (no 202 given, no message queued) ends
/// <c>rejected</c>, and a late copy of its message does not apply it; a write that got its 202 and waits in a long
/// backlog is applied, however old.
/// </summary>
public sealed class UnconfirmedWriteTests
{
    [Fact]
    public async Task A_write_whose_message_never_reached_the_broker_is_rejected_and_a_202_write_in_a_long_backlog_is_applied()
    {
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with
        {
            HostsWorker = false,
            Overrides = new Dictionary<string, string?>
            {
                ["WritePipeline:Transport:SendTimeout"] = "00:00:02",
                ["WritePipeline:Sweeper:UnconfirmedAfter"] = "00:00:06",
                ["WritePipeline:Sweeper:Interval"] = "00:00:01",
            },
        });
        await app.UntilReadyAsync();
        var (clientId, http) = await app.CreateClientAsync();
        var partitions = app.Services.GetRequiredService<PartitionMap>();
        var prefix = "unconf-" + Guid.NewGuid().ToString("N")[..6] + "-";

        // No worker yet: this one is accepted (202) and waits in its queue.
        var accepted = await http.PutAsync("customers", prefix + "backlog", new JsonObject { ["n"] = 1 });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var acceptedId = Guid.Parse((await accepted.JsonAsync())["writeId"]!.GetValue<string>());

        // What an API process that died between recording and sending leaves: a row, and no message.
        var lost = new ApplyWrite
        {
            WriteId = Guid.CreateVersion7(),
            ClientId = clientId,
            Collection = "customers",
            Key = prefix + "lost",
            Operation = WriteOperations.Replace,
            Body = new JsonObject { ["n"] = 1 }.ToJsonString(),
            SubmittedAt = DateTimeOffset.UtcNow,
        };
        var lostPartition = partitions.PartitionOf(lost.Collection, lost.Key);
        await app.QueryAsync(db =>
        {
            db.Writes.Add(Write.FromMessage(lost, lostPartition));
            return db.SaveChangesAsync();
        });

        // Both look the same to the sweeper: queued for far longer than UnconfirmedAfter.
        var longAgo = DateTimeOffset.UtcNow.AddMinutes(-10);
        await app.QueryAsync(db => db.Writes.Where(w => w.Id == acceptedId || w.Id == lost.WriteId).ExecuteUpdateAsync(set => set.SetProperty(w => w.SubmittedAt, longAgo)));

        await using var worker = WorkerProcess.Start(app.SharedSettings);
        await Eventually.UntilAsync(
            async () => await app.QueryAsync(db => db.Writes.CountAsync(w => (w.Id == acceptedId && w.Status == WriteStatus.Applied) || (w.Id == lost.WriteId && w.Status == WriteStatus.Rejected))) == 2,
            "the accepted write is applied and the lost one rejected");
        // As for a write the broker refused at once: never accepted, so the client's status resource does not know it.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/v1/writes/{lost.WriteId}")).StatusCode);
        Assert.Equal(WriteErrors.Unconfirmed, await app.QueryAsync(db => db.Writes.Where(w => w.Id == lost.WriteId).Select(w => w.ErrorType).SingleAsync()));
        using (var toWorker = new HttpClient { BaseAddress = await worker.BaseAddressAsync() })
        {
            Assert.Equal(1, PrometheusText.Value(await PrometheusText.ScrapeAsync(toWorker), "writepipeline_writes_rejected_total", "reason=\"unconfirmed\""));
        }

        // A copy of the lost write's message turning up late changes nothing; a write behind it on its key is applied.
        await app.Services.GetRequiredService<IPartitionQueues>().SendAsync(lostPartition, PartitionMessage.For(lost), CancellationToken.None);
        var after = await http.PutAsync("customers", prefix + "lost", new JsonObject { ["n"] = 2 });
        var afterId = Guid.Parse((await after.JsonAsync())["writeId"]!.GetValue<string>());
        await Eventually.UntilAsync(
            async () => await app.QueryAsync(db => db.Writes.AnyAsync(w => w.Id == afterId && w.Status == WriteStatus.Applied)),
            "the write behind the late copy is applied");
        var history = await app.HistoryAsync("customers", prefix + "lost");
        var only = Assert.Single(history);
        Assert.Equal(afterId, only.WriteId);
        Assert.Equal(WriteStatus.Rejected, await app.QueryAsync(db => db.Writes.Where(w => w.Id == lost.WriteId).Select(w => w.Status).SingleAsync()));
        Assert.False(worker.HasExited, worker.RecentOutput);
    }
}
