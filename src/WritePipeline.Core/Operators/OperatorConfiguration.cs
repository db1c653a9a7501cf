using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WritePipeline.Operators;

/// <summary>How an operator account is stored.</summary>
public sealed class OperatorConfiguration : IEntityTypeConfiguration<Operator>
{
    public void Configure(EntityTypeBuilder<Operator> builder)
    {
        builder.ToTable("operators");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Name).HasMaxLength(100);
        builder.HasIndex(o => o.Name).IsUnique();
        builder.Property(o => o.Role).HasMaxLength(16);
        builder.Property(o => o.PasswordHash).HasMaxLength(200);
        builder.Property(o => o.TokenHash).HasMaxLength(64);
        builder.HasIndex(o => o.TokenHash).IsUnique();
    }
}
