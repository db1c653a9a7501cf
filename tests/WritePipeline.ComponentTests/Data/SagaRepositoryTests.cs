using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;
using WritePipeline.Testing;

namespace WritePipeline.ComponentTests.Data;

/// <summary>The saga table's optimistic concurrency, on each provider the tests can run.</summary>
public abstract class SagaRepositoryTests(DatabaseProvider provider) : IAsyncLifetime
{
    TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        await using var db = Context();
        await db.Database.MigrateAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    WritePipelineDbContext Context() => DataRegistration.CreateContext(_database.Provider, _database.ConnectionString);

    [Fact]
    public async Task Of_two_concurrent_updates_of_one_instance_one_wins_and_the_other_retries_on_its_result()
    {
        var id = Guid.NewGuid();
        await using (var db = Context())
        {
            db.ConflictSagas.Add(new ConflictState { CorrelationId = id, CurrentState = "Parked", Collection = "c", Key = "k", Operation = "replace", ConflictType = "version_mismatch" });
            await db.SaveChangesAsync();
        }

        await using var first = Context();
        await using var second = Context();
        var mine = await first.ConflictSagas.SingleAsync(s => s.CorrelationId == id);
        var theirs = await second.ConflictSagas.SingleAsync(s => s.CorrelationId == id);

        mine.CurrentState = "Resolving";
        await first.SaveChangesAsync();
        theirs.CurrentState = "Discarded";
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());

        // The loser reloads and sees the winner's state before it decides again.
        await using var retry = Context();
        var reloaded = await retry.ConflictSagas.SingleAsync(s => s.CorrelationId == id);
        Assert.Equal("Resolving", reloaded.CurrentState);
        Assert.Equal(1, reloaded.Version);
        reloaded.ResolutionAction = "discard";
        await retry.SaveChangesAsync();
        Assert.Equal(2, (await Context().ConflictSagas.AsNoTracking().SingleAsync(s => s.CorrelationId == id)).Version);
    }
}

public sealed class SqliteSagaRepositoryTests() : SagaRepositoryTests(DatabaseProvider.Sqlite);

public sealed class PostgresSagaRepositoryTests() : SagaRepositoryTests(DatabaseProvider.PostgreSql);
