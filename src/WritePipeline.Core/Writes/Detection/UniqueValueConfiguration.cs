using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WritePipeline.Collections;

namespace WritePipeline.Writes.Detection;

/// <summary>How a held unique value is stored.</summary>
public sealed class UniqueValueConfiguration : IEntityTypeConfiguration<UniqueValue>
{
    public void Configure(EntityTypeBuilder<UniqueValue> builder)
    {
        builder.ToTable("unique_values");
        // The key is the constraint: one holder per value of a field in a collection.
        builder.HasKey(u => new { u.Collection, u.Field, u.Value });
        builder.Property(u => u.Collection).HasMaxLength(RecordNames.MaxCollectionLength);
        builder.Property(u => u.Field).HasMaxLength(128);
        builder.Property(u => u.Value).HasMaxLength(DocumentConstraints.MaxStoredValueLength);
        builder.Property(u => u.Key).HasMaxLength(RecordNames.MaxKeyLength);
        builder.HasIndex(u => new { u.Collection, u.Key });
    }
}
