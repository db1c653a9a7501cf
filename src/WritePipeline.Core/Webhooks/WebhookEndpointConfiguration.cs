using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WritePipeline.Webhooks;

/// <summary>How a client's webhook endpoint is stored.</summary>
public sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.ToTable("webhook_endpoints");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Url).HasMaxLength(AddressGuard.MaxUrlLength);
        builder.Property(e => e.Description).HasMaxLength(500);
        builder.Property(e => e.Events).HasMaxLength(200);
        builder.Property(e => e.DisabledReason).HasMaxLength(500);
        builder.Property(e => e.Secret).HasMaxLength(100);
        builder.Property(e => e.PreviousSecret).HasMaxLength(100);
        builder.HasIndex(e => e.ClientId);
        builder.Ignore(e => e.EventList);
    }
}
