using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using WritePipeline.Clients;
using WritePipeline.Collections;
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

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new Partitioning.PartitionLease.Configuration());
        modelBuilder.ApplyConfiguration(new Partitioning.PipelineWorker.Configuration());
        modelBuilder.Entity<Record>(record =>
        {
            record.ToTable("records");
            record.HasKey(r => r.Id);
            record.Property(r => r.Collection).HasMaxLength(RecordNames.MaxCollectionLength);
            record.Property(r => r.Key).HasMaxLength(RecordNames.MaxKeyLength);
            record.HasIndex(r => new { r.Collection, r.Key }).IsUnique();
            // Two workers that both believe they own a key (a takeover in progress) cannot both move it on.
            record.Property(r => r.Version).IsConcurrencyToken();
            record.Ignore(r => r.Exists);
        });

        modelBuilder.Entity<RecordVersion>(version =>
        {
            version.ToTable("record_versions");
            version.HasKey(v => new { v.Collection, v.Key, v.Version });
            version.Property(v => v.Collection).HasMaxLength(RecordNames.MaxCollectionLength);
            version.Property(v => v.Key).HasMaxLength(RecordNames.MaxKeyLength);
            version.Property(v => v.Operation).HasMaxLength(16);
        });

        modelBuilder.Entity<Write>(write =>
        {
            write.ToTable("writes");
            write.HasKey(w => w.Id);
            write.Property(w => w.Collection).HasMaxLength(RecordNames.MaxCollectionLength);
            write.Property(w => w.Key).HasMaxLength(RecordNames.MaxKeyLength);
            write.Property(w => w.Operation).HasMaxLength(16);
            // The exactly-once guard: a write leaves 'queued' in the same transaction as its record change,
            // and only if nobody else moved it first.
            write.Property(w => w.Status).HasMaxLength(16).IsConcurrencyToken();
            write.Property(w => w.ErrorType).HasMaxLength(64);
            write.Property(w => w.ErrorDetail).HasMaxLength(WriteErrors.MaxDetailLength);
            write.Property(w => w.IdempotencyKey).HasMaxLength(WriteRequest.MaxIdempotencyKeyLength);
            write.Property(w => w.RequestHash).HasMaxLength(64);
            write.HasIndex(w => new { w.ClientId, w.IdempotencyKey }).IsUnique();
            // The held writes of a key, in the order they are released.
            write.HasIndex(w => new { w.Collection, w.Key, w.Status, w.HeldPosition });
            // The operators' lists (waiting writes oldest first, the archive) and the dashboard's per-minute counts.
            write.HasIndex(w => new { w.Status, w.SubmittedAt });
            write.HasIndex(w => w.SubmittedAt);
            write.HasIndex(w => w.CompletedAt);
        });

        modelBuilder.Entity<UniqueValue>(unique =>
        {
            unique.ToTable("unique_values");
            // The key is the constraint: one holder per value of a field in a collection.
            unique.HasKey(u => new { u.Collection, u.Field, u.Value });
            unique.Property(u => u.Collection).HasMaxLength(RecordNames.MaxCollectionLength);
            unique.Property(u => u.Field).HasMaxLength(128);
            unique.Property(u => u.Value).HasMaxLength(DocumentConstraints.MaxStoredValueLength);
            unique.Property(u => u.Key).HasMaxLength(RecordNames.MaxKeyLength);
            unique.HasIndex(u => new { u.Collection, u.Key });
        });

        modelBuilder.Entity<WriteConflict>(conflict =>
        {
            conflict.ToTable("write_conflicts");
            conflict.HasKey(c => c.WriteId);
            conflict.Property(c => c.Type).HasMaxLength(64);
            conflict.Property(c => c.Detail).HasMaxLength(WriteErrors.MaxDetailLength);
            conflict.HasIndex(c => c.DetectedAt);
        });

        modelBuilder.Entity<KeyHold>(hold =>
        {
            hold.ToTable("key_holds");
            hold.HasKey(h => new { h.Collection, h.Key });
            hold.Property(h => h.Collection).HasMaxLength(RecordNames.MaxCollectionLength);
            hold.Property(h => h.Key).HasMaxLength(RecordNames.MaxKeyLength);
        });

        modelBuilder.ApplyConfiguration(new ConflictStateMap());

        modelBuilder.Entity<WebhookEndpoint>(endpoint =>
        {
            endpoint.ToTable("webhook_endpoints");
            endpoint.HasKey(e => e.Id);
            endpoint.Property(e => e.Url).HasMaxLength(AddressGuard.MaxUrlLength);
            endpoint.Property(e => e.Description).HasMaxLength(500);
            endpoint.Property(e => e.Events).HasMaxLength(200);
            endpoint.Property(e => e.DisabledReason).HasMaxLength(500);
            endpoint.Property(e => e.Secret).HasMaxLength(100);
            endpoint.Property(e => e.PreviousSecret).HasMaxLength(100);
            endpoint.HasIndex(e => e.ClientId);
            endpoint.Ignore(e => e.EventList);
        });

        modelBuilder.Entity<WebhookDelivery>(delivery =>
        {
            delivery.ToTable("webhook_deliveries");
            delivery.HasKey(d => d.Id);
            delivery.Property(d => d.EventType).HasMaxLength(32);
            delivery.Property(d => d.Status).HasMaxLength(16);
            delivery.HasIndex(d => new { d.EndpointId, d.CreatedAt });
            delivery.HasIndex(d => d.WriteId);
            // The sweeper's question: which pending deliveries are overdue.
            delivery.HasIndex(d => new { d.Status, d.NextAttemptAt });
            delivery.Ignore(d => d.WebhookId);
        });

        modelBuilder.Entity<WebhookAttempt>(attempt =>
        {
            attempt.ToTable("webhook_attempts");
            attempt.HasKey(a => a.Id);
            attempt.Property(a => a.ResponseExcerpt).HasMaxLength(64 * 1024);
            attempt.Property(a => a.Error).HasMaxLength(1000);
            attempt.HasIndex(a => new { a.DeliveryId, a.Number });
            attempt.Ignore(a => a.RetryAfterHeader);
        });

        modelBuilder.Entity<Operators.Operator>(account =>
        {
            account.ToTable("operators");
            account.HasKey(o => o.Id);
            account.Property(o => o.Name).HasMaxLength(100);
            account.HasIndex(o => o.Name).IsUnique();
            account.Property(o => o.Role).HasMaxLength(16);
            account.Property(o => o.PasswordHash).HasMaxLength(200);
            account.Property(o => o.TokenHash).HasMaxLength(64);
            account.HasIndex(o => o.TokenHash).IsUnique();
        });

        modelBuilder.Entity<Audit.AuditEntry>(entry =>
        {
            entry.ToTable("audit_log");
            entry.HasKey(e => e.Id);
            entry.Property(e => e.Actor).HasMaxLength(Audit.AuditEntry.MaxActorLength);
            entry.Property(e => e.Action).HasMaxLength(Audit.AuditEntry.MaxActionLength);
            entry.Property(e => e.Subject).HasMaxLength(Audit.AuditEntry.MaxSubjectLength);
            entry.Property(e => e.Outcome).HasMaxLength(16);
            entry.Property(e => e.Detail).HasMaxLength(Audit.AuditEntry.MaxDetailLength);
            entry.Property(e => e.Reason).HasMaxLength(Audit.AuditEntry.MaxReasonLength);
            entry.HasIndex(e => e.At);
            entry.HasIndex(e => e.WriteId);
            entry.HasIndex(e => new { e.Actor, e.At });
        });

        modelBuilder.Entity<Admin.BulkAction>(bulk =>
        {
            bulk.ToTable("bulk_actions");
            bulk.HasKey(b => b.Id);
            bulk.Property(b => b.Actor).HasMaxLength(120);
            bulk.Property(b => b.Action).HasMaxLength(16);
            bulk.Property(b => b.Reason).HasMaxLength(Conflicts.Decisions.MaxReasonLength);
            bulk.Property(b => b.Scope).HasMaxLength(500);
        });

        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");

        modelBuilder.Entity<Client>(client =>
        {
            client.ToTable("clients");
            client.HasKey(c => c.Id);
            client.Property(c => c.Name).HasMaxLength(200);
            client.Property(c => c.ApiKeyHash).HasMaxLength(64);
            client.Property(c => c.ConflictPolicy).HasMaxLength(16);
            client.Property(c => c.Grants).HasMaxLength(CollectionGrants.MaxStoredLength);
            client.HasIndex(c => c.ApiKeyHash).IsUnique();
        });
    }
}
