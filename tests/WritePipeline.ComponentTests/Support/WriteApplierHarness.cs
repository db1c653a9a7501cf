using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Contracts;
using WritePipeline.Data;
using WritePipeline.Testing;
using WritePipeline.Writes.Detection;
using WritePipeline.Writes.Status;

namespace WritePipeline.ComponentTests.Support;

/// <summary>
/// The worker's write applier over a real database (SQLite unless told otherwise), registered as the hosts register
/// them, without a bus or partition consumers: a test hands deliveries to <see cref="WriteBatchApplier"/> itself, in
/// the order it chooses, and sees what was committed.
/// </summary>
public sealed class WriteApplierHarness : IAsyncDisposable
{
    readonly ServiceProvider _provider;
    readonly TestDatabase _database;

    WriteApplierHarness(ServiceProvider provider, TestDatabase database)
    {
        _provider = provider;
        _database = database;
        Applier = provider.GetRequiredService<WriteBatchApplier>();
        Transactions = provider.GetRequiredService<TransactionCounter>();
    }

    public WriteBatchApplier Applier { get; }

    /// <summary>How many transactions the appliers committed.</summary>
    public TransactionCounter Transactions { get; }

    public DatabaseProvider Provider => _database.Provider;

    /// <summary>The partition leases, on the same database.</summary>
    public PartitionLeaseStore Leases => _provider.GetRequiredService<PartitionLeaseStore>();

    /// <param name="provider">The database to run on; a fresh one, migrated.</param>
    /// <param name="configure">Changes to the options the appliers run with (batch size, declared collections).</param>
    public static async Task<WriteApplierHarness> StartAsync(DatabaseProvider provider = DatabaseProvider.Sqlite, Action<WritePipelineOptions>? configure = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var options = new WritePipelineOptions
        {
            Worker = { RetryMinimumDelay = TimeSpan.FromMilliseconds(20), RetryMaximumDelay = TimeSpan.FromMilliseconds(100) },
        };
        configure?.Invoke(options);

        var services = new ServiceCollection();
        services.AddWorkerServices(options, database, provider => [provider.GetRequiredService<TransactionCounter>()]);
        services.AddSingleton<TransactionCounter>();
        services.AddSingleton<PartitionLeaseStore>();
        var harness = new WriteApplierHarness(services.BuildServiceProvider(), database);
        await harness.QueryAsync(db => db.Database.MigrateAsync());
        return harness;
    }

    /// <summary>Records writes as the API does before it sends them: one row each, <c>queued</c>.</summary>
    public Task RecordAsync(IEnumerable<ApplyWrite> writes, int partition) => QueryAsync(db =>
    {
        db.Writes.AddRange(writes.Select(w => Write.FromMessage(w, partition)));
        return db.SaveChangesAsync();
    });

    /// <summary>Marks recorded writes rejected, as the API does when the broker did not confirm them.</summary>
    public Task RejectAsync(IReadOnlyCollection<Guid> writeIds) => QueryAsync(db => db.Writes
        .Where(w => writeIds.Contains(w.Id) && w.Status == WriteStatus.Queued)
        .ExecuteUpdateAsync(update => update.SetProperty(w => w.Status, WriteStatus.Rejected)));

    /// <summary>A write's status resource, read as the endpoints read it.</summary>
    public async Task<WriteStatusView?> ReadStatusAsync(Guid writeId, Guid? clientId)
    {
        await using var scope = _provider.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<WriteStatusQuery>().ReadAsync(writeId, clientId, CancellationToken.None);
    }

    public async Task QueryAsync(Func<WritePipelineDbContext, Task> query)
    {
        await using var scope = _provider.CreateAsyncScope();
        await query(scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>());
    }

    public async Task<T> QueryAsync<T>(Func<WritePipelineDbContext, Task<T>> query)
    {
        await using var scope = _provider.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>());
    }

    /// <summary>
    /// Removes everything applying writes leaves (writes, records and their history, conflicts, holds, claims, webhook
    /// deliveries), so that the next case starts from an empty pipeline on the same, already migrated, database.
    /// Webhook endpoints stay.
    /// </summary>
    public Task ResetAsync() => QueryAsync(async db =>
    {
        await db.WebhookDeliveries.ExecuteDeleteAsync();
        await db.WriteConflicts.ExecuteDeleteAsync();
        await db.KeyHolds.ExecuteDeleteAsync();
        await db.UniqueValues.ExecuteDeleteAsync();
        await db.RecordVersions.ExecuteDeleteAsync();
        await db.Records.ExecuteDeleteAsync();
        await db.Writes.ExecuteDeleteAsync();
        Transactions.Reset();
    });

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>Counts the transactions committed through the pipeline's DbContext.</summary>
public sealed class TransactionCounter : DbTransactionInterceptor
{
    int _committed;

    public int Committed => Volatile.Read(ref _committed);

    public void Reset() => Interlocked.Exchange(ref _committed, 0);

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        Interlocked.Increment(ref _committed);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _committed);
        return Task.CompletedTask;
    }
}
