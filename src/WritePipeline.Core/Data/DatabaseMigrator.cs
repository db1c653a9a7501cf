using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;

namespace WritePipeline.Data;

/// <summary>Applies migrations, or writes them out as an idempotent SQL script for a DBA.</summary>
public sealed class DatabaseMigrator(WritePipelineDbContext db, ILogger<DatabaseMigrator> logger)
{
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await db.Database.MigrateAsync(cancellationToken);
        var applied = await db.Database.GetAppliedMigrationsAsync(cancellationToken);
        logger.LogInformation("Database is migrated on {Provider}; last migration {Migration}", db.Database.ProviderName, applied.LastOrDefault());
    }

    /// <summary>The whole schema as an idempotent script; needs no connection to a server.</summary>
    public string Script() => db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
}
