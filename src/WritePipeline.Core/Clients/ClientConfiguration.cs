using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WritePipeline.Clients;

/// <summary>How a client is stored: its key's hash, its conflict policy and its grants.</summary>
public sealed class ClientConfiguration : IEntityTypeConfiguration<Client>
{
    public void Configure(EntityTypeBuilder<Client> builder)
    {
        builder.ToTable("clients");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Name).HasMaxLength(200);
        builder.Property(c => c.ApiKeyHash).HasMaxLength(64);
        builder.Property(c => c.ConflictPolicy).HasMaxLength(16);
        builder.Property(c => c.Grants).HasMaxLength(CollectionGrants.MaxStoredLength);
        builder.HasIndex(c => c.ApiKeyHash).IsUnique();
    }
}
