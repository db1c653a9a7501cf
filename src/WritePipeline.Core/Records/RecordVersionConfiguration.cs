using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WritePipeline.Collections;

namespace WritePipeline.Records;

/// <summary>How a record's history is stored: one row per version of a key.</summary>
public sealed class RecordVersionConfiguration : IEntityTypeConfiguration<RecordVersion>
{
    public void Configure(EntityTypeBuilder<RecordVersion> builder)
    {
        builder.ToTable("record_versions");
        builder.HasKey(v => new { v.Collection, v.Key, v.Version });
        builder.Property(v => v.Collection).HasMaxLength(RecordNames.MaxCollectionLength);
        builder.Property(v => v.Key).HasMaxLength(RecordNames.MaxKeyLength);
        builder.Property(v => v.Operation).HasMaxLength(16);
    }
}
