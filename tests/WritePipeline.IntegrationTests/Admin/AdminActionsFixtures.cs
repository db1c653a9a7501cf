using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using WritePipeline.Contracts;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Admin;

/// <summary>
/// The app the admin action tests share, one per backend: customers (unique email, held on conflict), orders and
/// group_orders referencing them (missing references conflict at once), and notes that continue past a conflict.
/// group_orders is the bulk group test's alone, so that its group holds exactly its writes.
/// </summary>
public abstract class AdminActionsFixture(PipelineSetup setup) : PipelineAppFixture(setup with
{
    Overrides = new Dictionary<string, string?>(ConflictsFixture.Collections)
    {
        ["WritePipeline:Collections:group_orders:References:/customerId"] = "customers",
        ["WritePipeline:Collections:group_orders:ReferenceGrace"] = "00:00:00",
    },
})
{
    /// <summary>A write that failed outright (<c>unreadable_message</c>) with <paramref name="body"/> as its document.</summary>
    public abstract Task<Guid> FailedWriteAsync(Guid clientId, string collection, string key, JsonObject body);
}

public sealed class AdminActionsPostgresFixture() : AdminActionsFixture(PipelineSetup.RabbitMqPostgres)
{
    /// <summary>The real way: a queued write whose message on its partition cannot be read.</summary>
    public override async Task<Guid> FailedWriteAsync(Guid clientId, string collection, string key, JsonObject body)
    {
        var writeId = Guid.CreateVersion7();
        var partition = App.Services.GetRequiredService<PartitionMap>().PartitionOf(collection, key);
        await App.QueryAsync(db =>
        {
            db.Writes.Add(new Write
            {
                Id = writeId, ClientId = clientId, Collection = collection, Key = key, Partition = partition,
                Operation = WriteOperations.Replace, Body = body.ToJsonString(), SubmittedAt = DateTimeOffset.UtcNow,
            });
            return db.SaveChangesAsync();
        });

        var factory = new ConnectionFactory { HostName = TestVirtualHost.Host, VirtualHost = App.VirtualHost!.Name };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            var properties = new BasicProperties { MessageId = writeId.ToString(), ContentType = "application/vnd.masstransit+json", Persistent = true };
            await channel.BasicPublishAsync(PartitionMap.QueueName(partition), string.Empty, mandatory: true, properties, Encoding.UTF8.GetBytes("{ this is not json"));
        }

        await Eventually.UntilAsync(
            async () => await App.QueryAsync(db => db.Writes.AnyAsync(w => w.Id == writeId && w.Status == WriteStatus.Failed)),
            $"write {writeId} failed");
        return writeId;
    }
}

/// <summary>The embedded default (in-memory transport, SQLite) with the same collections.</summary>
public sealed class AdminActionsSqliteFixture() : AdminActionsFixture(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite))
{
    /// <summary>
    /// The in-memory transport has no raw message to garble: the write is recorded as the recorder leaves it
    /// (<see cref="UnreadableWrites"/>: failed, unreadable_message, with the reason).
    /// </summary>
    public override async Task<Guid> FailedWriteAsync(Guid clientId, string collection, string key, JsonObject body)
    {
        var writeId = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        await App.QueryAsync(db =>
        {
            db.Writes.Add(new Write
            {
                Id = writeId, ClientId = clientId, Collection = collection, Key = key,
                Partition = App.Services.GetRequiredService<PartitionMap>().PartitionOf(collection, key),
                Operation = WriteOperations.Replace, Body = body.ToJsonString(), SubmittedAt = now,
                Status = WriteStatus.Failed, ErrorType = WriteErrors.UnreadableMessage, ErrorDetail = "The message could not be read: test", CompletedAt = now,
            });
            return db.SaveChangesAsync();
        });
        return writeId;
    }
}

/// <summary>The admin action tests on RabbitMQ + PostgreSQL: one app for all their classes, which run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class AdminActionsPostgres : ICollectionFixture<AdminActionsPostgresFixture>
{
    public const string Name = "Admin actions on RabbitMQ + PostgreSQL";
}

/// <summary>The admin action tests on the embedded default: one app for all their classes.</summary>
[CollectionDefinition(Name)]
public sealed class AdminActionsSqlite : ICollectionFixture<AdminActionsSqliteFixture>
{
    public const string Name = "Admin actions on the embedded default";
}
