using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;

namespace WritePipeline.Webhooks;

/// <summary>The webhooks' tables, as sets of <see cref="WritePipelineDbContext"/> (why: see there).</summary>
public static class WebhookTables
{
    extension(WritePipelineDbContext db)
    {
        public DbSet<WebhookEndpoint> WebhookEndpoints => db.Set<WebhookEndpoint>();

        public DbSet<WebhookDelivery> WebhookDeliveries => db.Set<WebhookDelivery>();

        public DbSet<WebhookAttempt> WebhookAttempts => db.Set<WebhookAttempt>();
    }
}
