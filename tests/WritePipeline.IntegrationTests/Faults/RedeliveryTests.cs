using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using RabbitMQ.Client;

namespace WritePipeline.IntegrationTests.Faults;

public sealed class RedeliveryTests(RabbitMqPostgresFixture fixture) : IClassFixture<RabbitMqPostgresFixture>
{
    readonly PipelineApp _app = fixture.App;

    [Fact]
    public async Task A_write_delivered_again_after_it_committed_is_not_applied_twice()
    {
        var (_, http) = await _app.CreateClientAsync();
        var key = "redeliver-" + Guid.NewGuid().ToString("N")[..8];
        var first = (await (await http.PutAsync("customers", key, new JsonObject { ["seq"] = 1 })).JsonAsync()).WriteId();
        await http.UntilFinalAsync(first);

        // What a worker that died after its commit and before its ack leaves behind: the same message, again.
        var write = await _app.QueryAsync(db => db.Writes.AsNoTracking().SingleAsync(w => w.Id == first));
        await _app.Services.GetRequiredService<IPartitionQueues>().SendAsync(write.Partition, PartitionMessage.For(write.ToMessage()), CancellationToken.None);
        // A later write to the key queues behind the copy, so once it is final the copy has been consumed.
        var second = (await (await http.PutAsync("customers", key, new JsonObject { ["seq"] = 2 })).JsonAsync()).WriteId();
        await http.UntilFinalAsync(second);

        var history = await _app.HistoryAsync("customers", key);
        Assert.Equal([first, second], history.Select(v => v.WriteId));
    }

    [Fact]
    public async Task A_message_that_cannot_be_read_ends_its_write_failed_with_the_reason()
    {
        var (clientId, http) = await _app.CreateClientAsync();
        var key = "garbled-" + Guid.NewGuid().ToString("N")[..8];
        var writeId = Guid.CreateVersion7();
        var partition = new PartitionMap(8).PartitionOf("customers", key);
        await _app.QueryAsync(db =>
        {
            db.Writes.Add(new Write { Id = writeId, ClientId = clientId, Collection = "customers", Key = key, Partition = partition, Operation = "replace", SubmittedAt = DateTimeOffset.UtcNow });
            return db.SaveChangesAsync();
        });

        var factory = new ConnectionFactory { HostName = Testing.TestVirtualHost.Host, VirtualHost = _app.VirtualHost!.Name };
        await using (var connection = await factory.CreateConnectionAsync())
        // With confirms tracked, a publish the broker cannot route or take throws here instead of vanishing.
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            var properties = new BasicProperties { MessageId = writeId.ToString(), ContentType = "application/vnd.masstransit+json", Persistent = true };
            await channel.BasicPublishAsync(PartitionMap.QueueName(partition), string.Empty, mandatory: true, properties, Encoding.UTF8.GetBytes("{ this is not json"));
        }

        var status = await http.UntilFinalAsync(writeId);
        Assert.Equal("failed", status["status"]!.GetValue<string>());
        Assert.Equal(WriteErrors.UnreadableMessage, status["error"]!["type"]!.GetValue<string>());
    }
}
