using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Data;
using WritePipeline.Testing;

namespace WritePipeline.ComponentTests.Writes;

/// <summary>Group commit of accepted writes, on a real database.</summary>
public sealed class WriteRecorderTests : IAsyncLifetime
{
    readonly InsertCounter _inserts = new();
    TestDatabase _database = null!;
    ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql);
        var services = new ServiceCollection();
        services.AddDbContext<WritePipelineDbContext>(builder => DataRegistration
            .UseProvider(builder, _database.Provider, _database.ConnectionString)
            .AddInterceptors(_inserts));
        services.AddSingleton<WriteRecorder>();
        _services = services.BuildServiceProvider();
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>().Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }

    static Write NewWrite(Guid clientId, string? idempotencyKey = null) => new()
    {
        Id = Guid.CreateVersion7(),
        ClientId = clientId,
        Collection = "customers",
        Key = "k-" + Guid.NewGuid().ToString("N")[..8],
        Operation = "replace",
        Body = "{}",
        SubmittedAt = DateTimeOffset.UtcNow,
        IdempotencyKey = idempotencyKey,
    };

    [Fact]
    public async Task Writes_submitted_together_are_recorded_in_a_few_inserts_not_one_each()
    {
        var recorder = _services.GetRequiredService<WriteRecorder>();
        var client = Guid.NewGuid();
        var writes = Enumerable.Range(0, 200).Select(_ => NewWrite(client)).ToList();

        await Task.WhenAll(writes.Select(recorder.RecordAsync));

        await using var scope = _services.CreateAsyncScope();
        Assert.Equal(200, await scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>().Writes.CountAsync(w => w.ClientId == client));
        Assert.InRange(_inserts.Count, 1, 10);
    }

    [Fact]
    public async Task Two_writes_with_one_idempotency_key_in_a_group_record_one_and_refuse_the_other_alone()
    {
        var recorder = _services.GetRequiredService<WriteRecorder>();
        var client = Guid.NewGuid();
        var writes = Enumerable.Range(0, 20).Select(i => NewWrite(client, i is 5 or 15 ? "same-key" : null)).ToList();

        var outcomes = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                await recorder.RecordAsync(w);
                return null;
            }
            catch (DbUpdateException ex)
            {
                return ex;
            }
        }));

        Assert.Single(outcomes, o => o is not null);
        await using var scope = _services.CreateAsyncScope();
        Assert.Equal(19, await scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>().Writes.CountAsync(w => w.ClientId == client));
    }

    /// <summary>Counts the commands sent to the database that insert write rows.</summary>
    sealed class InsertCounter : DbCommandInterceptor
    {
        int _count;

        public int Count => Volatile.Read(ref _count);

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            CountInsert(command);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            CountInsert(command);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        void CountInsert(DbCommand command)
        {
            if (command.CommandText.Contains("INSERT INTO writes", StringComparison.Ordinal) || command.CommandText.Contains("INSERT INTO \"writes\"", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
            }
        }
    }
}
