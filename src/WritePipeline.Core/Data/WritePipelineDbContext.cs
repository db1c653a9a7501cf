using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace WritePipeline.Data;

/// <summary>
/// The pipeline's database. It names no feature: each feature maps its entities (an
/// <see cref="IEntityTypeConfiguration{TEntity}"/>) and exposes its tables (extension properties, e.g. <c>WriteTables</c>), so that adding a feature does not change
/// this file. Extension properties cannot appear in expression trees: inside a query, use <c>db.Set&lt;T&gt;()</c>.
/// </summary>
public sealed class WritePipelineDbContext(DbContextOptions<WritePipelineDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>The key ring that signs the console's cookies and anti-forgery tokens, shared by every API process.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        // Every saved change of a saga instance moves its version on; the old version is what the UPDATE checks.
        foreach (var saga in ChangeTracker.Entries<Sagas.IVersionedSaga>().Where(e => e.State == EntityState.Modified))
        {
            saga.Entity.Version++;
        }

        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        if (Database.IsSqlite())
        {
            // SQLite has no date type: as text (EF's default) a DateTimeOffset cannot be compared or ordered in SQL,
            // so "overdue", "older than" and "oldest first" could not be asked. As a number (clock time first; every time
            // the pipeline stores is UTC, and filters are turned to UTC) they can.
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }
    }

    /// <summary>Each entity's mapping lives with the feature that owns it, as an <see cref="IEntityTypeConfiguration{TEntity}"/>.</summary>
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(WritePipelineDbContext).Assembly);
}
