using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WritePipeline.Collections;

namespace WritePipeline.Records;

/// <summary>How a record is stored: one row per key of a collection, its current document and version.</summary>
public sealed class RecordConfiguration : IEntityTypeConfiguration<Record>
{
    public void Configure(EntityTypeBuilder<Record> builder)
    {
        builder.ToTable("records");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Collection).HasMaxLength(RecordNames.MaxCollectionLength);
        builder.Property(r => r.Key).HasMaxLength(RecordNames.MaxKeyLength);
        builder.HasIndex(r => new { r.Collection, r.Key }).IsUnique();
        // Two workers that both believe they own a key (a takeover in progress) cannot both move it on.
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.Ignore(r => r.Exists);
    }
}
