using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Data;
using WritePipeline.Testing;
using WritePipeline.Writes;

namespace WritePipeline.ComponentTests;

/// <summary>Group commit of accepted writes, on a real database.</summary>
public sealed class WriteRecorderTests : IAsyncLifetime
{
    readonly SaveCounter _saves = new();
    TestDatabase _database = null!;
    ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.PostgreSql);
        var services = new ServiceCollection();
        services.AddDbContext<WritePipelineDbContext>(builder => DataRegistration
            .UseProvider(builder, _database.Provider, _database.ConnectionString)
            .AddInterceptors(_saves));
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
        Assert.InRange(_saves.Count, 1, 10);
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

    sealed class SaveCounter : SaveChangesInterceptor
    {
        int _count;

        public int Count => Volatile.Read(ref _count);

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }
    }
}
