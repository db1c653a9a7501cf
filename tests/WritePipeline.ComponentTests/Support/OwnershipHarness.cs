using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Data;
using WritePipeline.Testing;

namespace WritePipeline.ComponentTests.Support;

/// <summary>
/// Workers' <see cref="PartitionOwnership"/> over one real PostgreSQL database, each with its own lease store and
/// connection pool, a database outage it alone can be put through, and partition consumers that only record what
/// they are told: the test beats each worker's heartbeat itself, on a <see cref="ManualClock"/>.
/// </summary>
public sealed class OwnershipHarness : IAsyncDisposable
{
    public const int Partitions = 4;

    public static readonly TimeSpan LeaseDuration = TimeSpan.FromMilliseconds(900);

    public static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(300);

    readonly TestDatabase _database;
    readonly ManualClock _clock;
    readonly List<TestWorker> _workers = [];

    OwnershipHarness(TestDatabase database, ManualClock clock)
    {
        _database = database;
        _clock = clock;
    }

    public static async Task<OwnershipHarness> StartAsync(ManualClock clock)
    {
        var harness = new OwnershipHarness(await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql), clock);
        await harness.QueryAsync(db => db.Database.MigrateAsync());
        return harness;
    }

    /// <summary>A worker of the given id (ids decide the order the workers deal the partitions out in).</summary>
    public TestWorker Worker(string id)
    {
        var outage = new ConnectionOutage();
        var consumers = new RecordingConsumers();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton(Options.Create(new WorkerOptions { LeaseDuration = LeaseDuration, HeartbeatInterval = Heartbeat, StopGrace = TimeSpan.Zero }));
        services.AddSingleton(new PartitionMap(Partitions));
        services.AddDbContext<WritePipelineDbContext>(builder => DataRegistration.UseProvider(builder, _database.Provider, _database.ConnectionString).AddInterceptors(outage));
        services.AddSingleton<PartitionLeaseStore>();
        services.AddSingleton(new WorkerIdentity(id));
        services.AddSingleton<IPartitionConsumers>(consumers);
        services.AddSingleton<PartitionOwnership>();
        var worker = new TestWorker(id, services.BuildServiceProvider(), consumers, outage, _clock);
        _workers.Add(worker);
        return worker;
    }

    public async Task<T> QueryAsync<T>(Func<WritePipelineDbContext, Task<T>> query)
    {
        var builder = new DbContextOptionsBuilder<WritePipelineDbContext>();
        DataRegistration.UseProvider(builder, _database.Provider, _database.ConnectionString);
        await using var db = new WritePipelineDbContext(builder.Options);
        return await query(db);
    }

    public async Task QueryAsync(Func<WritePipelineDbContext, Task> query) => await QueryAsync(async db =>
    {
        await query(db);
        return true;
    });

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    public sealed class TestWorker(string id, ServiceProvider services, RecordingConsumers consumers, ConnectionOutage outage, TimeProvider clock) : IAsyncDisposable
    {
        public string Id { get; } = id;

        public RecordingConsumers Consumers { get; } = consumers;

        /// <summary>While down, every connection this worker opens to the database fails, as when it is unreachable.</summary>
        public ConnectionOutage Outage { get; } = outage;

        PartitionOwnership Ownership => services.GetRequiredService<PartitionOwnership>();

        /// <summary>One heartbeat, as the worker's loop runs it.</summary>
        public Task BeatAsync() => Ownership.BeatAsync(CancellationToken.None);

        /// <summary>Says the worker is alive, as its first heartbeat does, without taking anything yet.</summary>
        public Task RegisterAsync() => services.GetRequiredService<PartitionLeaseStore>()
            .HeartbeatAsync(services.GetRequiredService<WorkerIdentity>().Registration(clock.GetUtcNow()), CancellationToken.None);

        public async ValueTask DisposeAsync()
        {
            Consumers.ReleaseStops();
            await services.DisposeAsync();
        }
    }

    /// <summary>Fails every connection opened while <see cref="Down"/>, and counts them.</summary>
    public sealed class ConnectionOutage : DbConnectionInterceptor
    {
        int _refused;
        volatile bool _down;

        public bool Down
        {
            get => _down;
            set => _down = value;
        }

        public int Refused => Volatile.Read(ref _refused);

        public override ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (Down)
            {
                Interlocked.Increment(ref _refused);
                throw new DatabaseUnreachableException();
            }

            return ValueTask.FromResult(result);
        }
    }

    /// <summary>Partition consumers that only keep which partitions they were told to consume; stops may be held back.</summary>
    public sealed class RecordingConsumers : IPartitionConsumers
    {
        readonly Lock _lock = new();
        readonly SortedSet<int> _consuming = [];
        TaskCompletionSource _stops = Completed();
        int _stopping;

        /// <summary>The partitions started and neither stopped nor aborted since, in order.</summary>
        public int[] Consuming
        {
            get
            {
                lock (_lock)
                {
                    return [.. _consuming];
                }
            }
        }

        public void Start(PartitionClaim claim)
        {
            lock (_lock)
            {
                _consuming.Add(claim.Partition);
            }
        }

        public async Task StopAsync(int partition, TimeSpan grace)
        {
            Interlocked.Increment(ref _stopping);
            await _stops.Task;
            lock (_lock)
            {
                _consuming.Remove(partition);
            }
        }

        public void Abort(int partition)
        {
            lock (_lock)
            {
                _consuming.Remove(partition);
            }
        }

        /// <summary>From now on a stop waits, as a batch at hand that takes its time, until <see cref="ReleaseStops"/>.</summary>
        public void HoldStops() => _stops = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void ReleaseStops() => _stops.TrySetResult();

        public Task UntilStoppingAsync(int count) =>
            Eventually.UntilAsync(() => Task.FromResult(Volatile.Read(ref _stopping) >= count), $"{count} partitions are being stopped");

        static TaskCompletionSource Completed()
        {
            var done = new TaskCompletionSource();
            done.SetResult();
            return done;
        }
    }
}
