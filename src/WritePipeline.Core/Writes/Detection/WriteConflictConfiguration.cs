using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WritePipeline.Writes.Detection;

/// <summary>How a conflicted write's conflict is stored: one row per write.</summary>
public sealed class WriteConflictConfiguration : IEntityTypeConfiguration<WriteConflict>
{
    public void Configure(EntityTypeBuilder<WriteConflict> builder)
    {
        builder.ToTable("write_conflicts");
        builder.HasKey(c => c.WriteId);
        builder.Property(c => c.Type).HasMaxLength(64);
        builder.Property(c => c.Detail).HasMaxLength(WriteErrors.MaxDetailLength);
        builder.HasIndex(c => c.DetectedAt);
    }
}
