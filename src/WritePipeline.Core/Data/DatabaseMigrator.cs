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
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        logger.LogInformation("Applying {Count} pending migrations on {Provider}", pending.Count, db.Database.ProviderName);
        await db.Database.MigrateAsync(cancellationToken);
    }

    /// <summary>The whole schema as an idempotent script; needs no connection to a server.</summary>
    public string Script() => db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
}
