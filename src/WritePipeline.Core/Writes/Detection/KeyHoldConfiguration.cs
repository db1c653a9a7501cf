using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WritePipeline.Collections;

namespace WritePipeline.Writes.Detection;

/// <summary>How a held key is stored: one row per key whose writes wait behind a conflict.</summary>
public sealed class KeyHoldConfiguration : IEntityTypeConfiguration<KeyHold>
{
    public void Configure(EntityTypeBuilder<KeyHold> builder)
    {
        builder.ToTable("key_holds");
        builder.HasKey(h => new { h.Collection, h.Key });
        builder.Property(h => h.Collection).HasMaxLength(RecordNames.MaxCollectionLength);
        builder.Property(h => h.Key).HasMaxLength(RecordNames.MaxKeyLength);
    }
}
