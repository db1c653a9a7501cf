using System.Data.Common;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WritePipeline.Contracts;
using WritePipeline.Data;
using WritePipeline.Hosting;
using WritePipeline.Testing;

namespace WritePipeline.ComponentTests.Support;

/// <summary>
/// The worker's partition consumers and conflict saga on MassTransit's test harness (in-memory transport) over a
/// real database (SQLite unless told otherwise), configured exactly as the hosts configure them, the saga persisted
/// by the pipeline's own EF repository.
/// </summary>
public sealed class PartitionConsumerHarness : IAsyncDisposable
{
    readonly ServiceProvider _provider;
    readonly TestDatabase _database;

    PartitionConsumerHarness(ServiceProvider provider, TestDatabase database)
    {
        _provider = provider;
        _database = database;
        Harness = provider.GetRequiredService<ITestHarness>();
        Partitions = provider.GetRequiredService<PartitionMap>();
        Outage = provider.GetRequiredService<DatabaseOutage>();
        Log = provider.GetRequiredService<LogCounter>();
    }

    /// <summary>What the pipeline logged, counted by level.</summary>
    public LogCounter Log { get; }

    public ITestHarness Harness { get; }

    public PartitionMap Partitions { get; }

    /// <summary>Makes chosen writes fail as if the database were unreachable, a number of times each.</summary>
    public DatabaseOutage Outage { get; }

    /// <param name="provider">The database to run on.</param>
    /// <param name="configure">Changes to the options the worker runs with (batch size, declared collections).</param>
    /// <param name="clock">The clock the worker reads (the system's unless told otherwise).</param>
    public static async Task<PartitionConsumerHarness> StartAsync(DatabaseProvider provider = DatabaseProvider.Sqlite, Action<WritePipelineOptions>? configure = null, TimeProvider? clock = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var options = new WritePipelineOptions
        {
            Partitions = 4,
            Worker = { RetryMinimumDelay = TimeSpan.FromMilliseconds(20), RetryMaximumDelay = TimeSpan.FromMilliseconds(100) },
        };
        configure?.Invoke(options);

        var harness = new PartitionConsumerHarness(Build(options, database, clock ?? TimeProvider.System), database);
        await using (var scope = harness._provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>().Database.MigrateAsync();
        }

        await harness.Harness.Start();
        await harness._provider.GetRequiredService<InMemoryPartitionConsumers>().StartAsync(CancellationToken.None);
        return harness;
    }

    static ServiceProvider Build(WritePipelineOptions options, TestDatabase database, TimeProvider clock)
    {
        var services = new ServiceCollection();
        services.AddWorkerServices(options, database, provider => [provider.GetRequiredService<OutageInterceptor>()]);
        services.AddSingleton(clock);
        services.AddSingleton<DatabaseOutage>();
        services.AddSingleton<OutageInterceptor>();
        services.AddSingleton<InMemoryPartitionConsumers>();
        services.AddSingleton<LogCounter>();
        services.AddLogging(logging => logging.Services.AddSingleton<ILoggerProvider>(provider => provider.GetRequiredService<LogCounter>()));
        services.AddMassTransitTestHarness(bus => MessagingRegistration.ConfigureBus(bus, options));
        return services.BuildServiceProvider();
    }

    /// <summary>Records writes as the API does before it sends them: one row each, <c>queued</c>, on the write's partition.</summary>
    public Task RecordAsync(params ApplyWrite[] writes) => QueryAsync(db =>
    {
        db.Writes.AddRange(writes.Select(w => Write.FromMessage(w, Partitions.PartitionOf(w.Collection, w.Key))));
        return db.SaveChangesAsync();
    });

    public async Task SendAsync(ApplyWrite write)
    {
        await _provider.GetRequiredService<IPartitionQueues>().SendAsync(Partitions.PartitionOf(write.Collection, write.Key), PartitionMessage.For(write), CancellationToken.None);
    }

    /// <summary>Asks the conflict saga to take a decision, as the API does.</summary>
    public async Task<Response<ResolutionAccepted, ResolutionRefused>> ResolveAsync(ResolveConflict decision)
    {
        await using var scope = _provider.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IRequestClient<ResolveConflict>>().GetResponse<ResolutionAccepted, ResolutionRefused>(decision);
    }

    /// <summary>Asks the conflict saga to restore a discarded write, as the admin API does.</summary>
    public async Task<Response<ResolutionAccepted, ResolutionRefused>> RestoreAsync(Guid writeId)
    {
        await using var scope = _provider.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IRequestClient<RestoreConflict>>()
            .GetResponse<ResolutionAccepted, ResolutionRefused>(new RestoreConflict { WriteId = writeId, RequestedBy = "operator:test" });
    }

    /// <summary>A replace of <paramref name="collection"/>/<paramref name="key"/> as the API would send it (no row recorded).</summary>
    public static ApplyWrite Replace(string collection, string key, System.Text.Json.Nodes.JsonObject document) => new()
    {
        WriteId = Guid.CreateVersion7(),
        ClientId = Guid.Empty,
        Collection = collection,
        Key = key,
        Operation = WriteOperations.Replace,
        Body = document.ToJsonString(),
        SubmittedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>Stops the partition consumers: what is sent to a partition from now on waits there, as behind a long backlog.</summary>
    public Task StopPartitionsAsync() => _provider.GetRequiredService<InMemoryPartitionConsumers>().StopAsync(CancellationToken.None);

    /// <summary>Starts the partition consumers again after <see cref="StopPartitionsAsync"/>: they take what waits, in order.</summary>
    public Task StartPartitionsAsync() => _provider.GetRequiredService<InMemoryPartitionConsumers>().StartAsync(CancellationToken.None);

    /// <summary>Takes every message waiting on the (stopped) partitions away, as if it had been lost; returns them.</summary>
    public IReadOnlyList<PartitionMessage> DrainPartitions()
    {
        var queues = _provider.GetRequiredService<InMemoryPartitionQueues>();
        var drained = new List<PartitionMessage>();
        for (var partition = 0; partition < Partitions.PartitionCount; partition++)
        {
            while (queues.Reader(partition).TryRead(out var queued))
            {
                drained.Add(queued.Message);
            }
        }

        return drained;
    }

    /// <summary>Puts a message on its record's partition, as a worker or the sweeper does.</summary>
    public Task SendAsync(PartitionMessage message) =>
        _provider.GetRequiredService<IPartitionQueues>().SendAsync(Partitions.PartitionOf(message.Collection, message.Key), message, CancellationToken.None);

    /// <summary>Runs one sweep of the conflict sweeper, as its Quartz job on a worker does.</summary>
    public async Task<SweepResult> SweepAsync()
    {
        await using var scope = _provider.CreateAsyncScope();
        return await ActivatorUtilities.CreateInstance<ConflictSweeper>(scope.ServiceProvider).SweepAsync(CancellationToken.None);
    }

    public async Task<T> QueryAsync<T>(Func<WritePipelineDbContext, Task<T>> query)
    {
        await using var scope = _provider.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>());
    }

    public Task<Write?> WriteAsync(Guid writeId) =>
        QueryAsync(db => db.Writes.AsNoTracking().SingleOrDefaultAsync(w => w.Id == writeId));

    public Task<List<RecordVersion>> HistoryAsync(string collection, string key) =>
        QueryAsync(db => db.RecordVersions.AsNoTracking().Where(v => v.Collection == collection && v.Key == key).OrderBy(v => v.Version).ToListAsync());

    public Task UntilFinalAsync(params Guid[] writeIds) => Eventually.UntilAsync(
        async () =>
        {
            var ids = writeIds.ToList();
            var final = await QueryAsync(db => db.Writes.CountAsync(w => ids.Contains(w.Id) && w.Status != WriteStatus.Queued));
            return final == ids.Count;
        },
        $"{writeIds.Length} writes reach a final status");

    public async ValueTask DisposeAsync()
    {
        await _provider.GetRequiredService<InMemoryPartitionConsumers>().StopAsync(CancellationToken.None);
        await Harness.Stop();
        await _provider.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>Fails the transaction of a write the outage is aimed at, where a real outage would: at save.</summary>
    sealed class OutageInterceptor(DatabaseOutage outage) : SaveChangesInterceptor
    {
        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            var writes = eventData.Context!.ChangeTracker.Entries<Write>().Select(e => e.Entity.Id);
            outage.OnSaving(writes);
            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }
    }
}

/// <summary>A database outage aimed at chosen writes: their transactions fail a given number of times.</summary>
public sealed class DatabaseOutage
{
    readonly Dictionary<Guid, int> _failuresLeft = [];
    readonly Dictionary<Guid, int> _attempts = [];
    readonly Dictionary<Guid, Func<Exception>> _failures = [];
    readonly Lock _lock = new();

    /// <summary>Makes every transaction of the write fail for a reason of no known kind, as a bug in applying it would.</summary>
    public void Break(Guid writeId) => FailTimes(writeId, int.MaxValue, () => new InvalidOperationException($"Simulated: a bug in applying write {writeId}."));

    public void FailTimes(Guid writeId, int times) => FailTimes(writeId, times, () => new DatabaseUnreachableException());

    void FailTimes(Guid writeId, int times, Func<Exception> failure)
    {
        lock (_lock)
        {
            _failuresLeft[writeId] = times;
            _failures[writeId] = failure;
        }
    }

    public int AttemptsOf(Guid writeId)
    {
        lock (_lock)
        {
            return _attempts.GetValueOrDefault(writeId);
        }
    }

    internal void OnSaving(IEnumerable<Guid> writeIds)
    {
        lock (_lock)
        {
            foreach (var id in writeIds)
            {
                _attempts[id] = _attempts.GetValueOrDefault(id) + 1;
                if (_failuresLeft.TryGetValue(id, out var left) && left > 0)
                {
                    _failuresLeft[id] = left - 1;
                    throw _failures[id]();
                }
            }
        }
    }
}

/// <summary>What a provider throws when the server cannot be reached, as far as the pipeline can tell.</summary>
public sealed class DatabaseUnreachableException() : DbException("Simulated: the database server cannot be reached.");
