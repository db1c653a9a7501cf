using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WritePipeline.Collections;

namespace WritePipeline.Conflicts;

/// <summary>How a conflict saga instance is stored: one row per conflicted write, versioned for optimistic concurrency.</summary>
public sealed class ConflictStateMap : IEntityTypeConfiguration<ConflictState>
{
    public void Configure(EntityTypeBuilder<ConflictState> builder)
    {
        builder.ToTable("conflict_sagas");
        builder.HasKey(s => s.CorrelationId);
        builder.Property(s => s.Version).IsConcurrencyToken();
        builder.Property(s => s.CurrentState).HasMaxLength(32);
        builder.Property(s => s.Collection).HasMaxLength(RecordNames.MaxCollectionLength);
        builder.Property(s => s.Key).HasMaxLength(RecordNames.MaxKeyLength);
        builder.Property(s => s.Operation).HasMaxLength(16);
        builder.Property(s => s.ConflictType).HasMaxLength(64);
        builder.Property(s => s.Policy).HasMaxLength(16);
        builder.Property(s => s.ResolutionAction).HasMaxLength(16);
        builder.Property(s => s.ResolutionReason).HasMaxLength(2000);
        builder.Property(s => s.ResolvedBy).HasMaxLength(200);
        builder.HasIndex(s => new { s.CurrentState, s.Collection, s.ConflictType });
    }
}
