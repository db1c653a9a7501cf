using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using WritePipeline.Clients;
using WritePipeline.Conflicts;
using WritePipeline.Records;
using WritePipeline.Webhooks;
using WritePipeline.Writes;

namespace WritePipeline.Data;

/// <summary>The pipeline's database: records and their history, writes and their statuses, clients.</summary>
public sealed class WritePipelineDbContext(DbContextOptions<WritePipelineDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Record> Records => Set<Record>();

    public DbSet<RecordVersion> RecordVersions => Set<RecordVersion>();

    public DbSet<Write> Writes => Set<Write>();

    public DbSet<Client> Clients => Set<Client>();

    public DbSet<UniqueValue> UniqueValues => Set<UniqueValue>();

    public DbSet<WriteConflict> WriteConflicts => Set<WriteConflict>();

    public DbSet<KeyHold> KeyHolds => Set<KeyHold>();

    public DbSet<ConflictState> ConflictSagas => Set<ConflictState>();

    public DbSet<Operators.Operator> Operators => Set<Operators.Operator>();

    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    public DbSet<Audit.AuditEntry> AuditEntries => Set<Audit.AuditEntry>();

    public DbSet<Admin.BulkAction> BulkActions => Set<Admin.BulkAction>();

    /// <summary>The key ring that signs the console's cookies and anti-forgery tokens, shared by every API process.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Partitioning.PartitionLease> PartitionLeases => Set<Partitioning.PartitionLease>();

    public DbSet<Partitioning.PipelineWorker> Workers => Set<Partitioning.PipelineWorker>();

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
