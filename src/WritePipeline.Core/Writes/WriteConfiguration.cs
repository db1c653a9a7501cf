using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WritePipeline.Collections;

namespace WritePipeline.Writes;

/// <summary>How a write is stored: its request, its status, and the indexes the partitions, operators and dashboard query by.</summary>
public sealed class WriteConfiguration : IEntityTypeConfiguration<Write>
{
    public void Configure(EntityTypeBuilder<Write> builder)
    {
        builder.ToTable("writes");
        builder.HasKey(w => w.Id);
        builder.Property(w => w.Collection).HasMaxLength(RecordNames.MaxCollectionLength);
        builder.Property(w => w.Key).HasMaxLength(RecordNames.MaxKeyLength);
        builder.Property(w => w.Operation).HasMaxLength(16);
        // The exactly-once guard: a write leaves 'queued' in the same transaction as its record change,
        // and only if nobody else moved it first.
        builder.Property(w => w.Status).HasMaxLength(16).IsConcurrencyToken();
        builder.Property(w => w.ErrorType).HasMaxLength(64);
        builder.Property(w => w.ErrorDetail).HasMaxLength(WriteErrors.MaxDetailLength);
        builder.Property(w => w.IdempotencyKey).HasMaxLength(WriteRequest.MaxIdempotencyKeyLength);
        builder.Property(w => w.RequestHash).HasMaxLength(64);
        builder.HasIndex(w => new { w.ClientId, w.IdempotencyKey }).IsUnique();
        // The held writes of a key, in the order they are released.
        builder.HasIndex(w => new { w.Collection, w.Key, w.Status, w.HeldPosition });
        // The operators' lists (waiting writes oldest first, the archive) and the dashboard's per-minute counts.
        builder.HasIndex(w => new { w.Status, w.SubmittedAt });
        builder.HasIndex(w => w.SubmittedAt);
        builder.HasIndex(w => w.CompletedAt);
    }
}
