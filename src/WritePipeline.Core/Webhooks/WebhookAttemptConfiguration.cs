using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WritePipeline.Webhooks;

/// <summary>How one attempt of a webhook delivery is stored, for operators.</summary>
public sealed class WebhookAttemptConfiguration : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> builder)
    {
        builder.ToTable("webhook_attempts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.ResponseExcerpt).HasMaxLength(64 * 1024);
        builder.Property(a => a.Error).HasMaxLength(1000);
        builder.HasIndex(a => new { a.DeliveryId, a.Number });
        builder.Ignore(a => a.RetryAfterHeader);
    }
}
