using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WritePipeline.Webhooks;

/// <summary>How a webhook delivery (the outbox's row for one event to one endpoint) is stored.</summary>
public sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("webhook_deliveries");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.EventType).HasMaxLength(32);
        builder.Property(d => d.Status).HasMaxLength(16);
        builder.HasIndex(d => new { d.EndpointId, d.CreatedAt });
        builder.HasIndex(d => d.WriteId);
        // The sweeper's question: which pending deliveries are overdue.
        builder.HasIndex(d => new { d.Status, d.NextAttemptAt });
        builder.Ignore(d => d.WebhookId);
    }
}
