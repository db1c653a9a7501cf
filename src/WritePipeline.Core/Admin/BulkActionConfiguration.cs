using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WritePipeline.Admin;

/// <summary>How a bulk action run is stored, so that another API process can resume it.</summary>
public sealed class BulkActionConfiguration : IEntityTypeConfiguration<BulkAction>
{
    public void Configure(EntityTypeBuilder<BulkAction> builder)
    {
        builder.ToTable("bulk_actions");
        builder.HasKey(b => b.Id);
        builder.Property(b => b.Actor).HasMaxLength(120);
        builder.Property(b => b.Action).HasMaxLength(16);
        builder.Property(b => b.Reason).HasMaxLength(Conflicts.Decisions.MaxReasonLength);
        builder.Property(b => b.Scope).HasMaxLength(500);
    }
}
