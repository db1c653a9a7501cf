using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using WritePipeline.Data;
using WritePipeline.Testing;

namespace WritePipeline.ComponentTests.Data;

/// <summary>Upgrading changes nothing for a client created before grants: the migration gives it <c>*:rw</c>.</summary>
public sealed class ClientGrantsMigrationTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task A_client_from_before_grants_may_read_and_write_every_collection(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = DataRegistration.CreateContext(provider, database.ConnectionString);
        var migrations = db.Database.GetMigrations().ToList();
        var beforeGrants = migrations[migrations.FindIndex(m => m.EndsWith("_ClientGrants", StringComparison.Ordinal)) - 1];
        await db.GetService<IMigrator>().MigrateAsync(beforeGrants);
        var id = Guid.NewGuid();
        await db.Database.ExecuteSqlAsync($"""INSERT INTO clients ("Id", "Name", "ApiKeyHash", "CreatedAt") VALUES ({id}, 'old', 'hash', {DateTimeOffset.UtcNow})""");

        await db.Database.MigrateAsync();

        var client = await db.Clients.AsNoTracking().SingleAsync(c => c.Id == id);
        Assert.Equal("*:rw", client.Grants);
        Assert.True(CollectionGrants.FromStored(client.Grants).Allows("orders", CollectionAccess.Read | CollectionAccess.Write));
    }
}
