using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using WritePipeline.Conflicts;
using WritePipeline.Data;
using WritePipeline.Writes;

namespace WritePipeline.Webhooks;

/// <summary>
/// Records the webhook deliveries an event owes, in the caller's unit of work: they commit with the change they
/// report, or not at all. Their first attempt is a timer set afterwards (<see cref="WebhookTimers"/>).
/// </summary>
public sealed class WebhookOutbox(WritePipelineDbContext db, IMemoryCache cache, TimeProvider clock, IOptions<WritePipelineOptions> options)
{
    // Most clients subscribe to nothing: knowing that without a query per applied write is what this cache is for.
    static readonly TimeSpan SubscriptionsCacheTime = TimeSpan.FromSeconds(5);

    /// <summary>Whether the client has an enabled endpoint for the event; <paramref name="fresh"/> asks the database rather than the cache.</summary>
    public async Task<bool> HasSubscriberAsync(Guid clientId, string eventType, CancellationToken cancellationToken, bool fresh = false)
    {
        if (fresh)
        {
            Forget(clientId);
        }

        var subscribed = await cache.GetOrCreateAsync(("webhook-events", clientId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = SubscriptionsCacheTime;
            var events = await db.WebhookEndpoints.AsNoTracking()
                .Where(e => e.ClientId == clientId && e.Enabled)
                .Select(e => e.Events)
                .ToListAsync(cancellationToken);
            return events.SelectMany(e => e.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
        });
        return subscribed!.Contains(eventType);
    }

    /// <summary>Forgets what a client subscribes to, after its endpoints changed (this process sees the change at once).</summary>
    public void Forget(Guid clientId) => cache.Remove(("webhook-events", clientId));

    public async Task<IReadOnlyList<WebhookDelivery>> AddAsync(string eventType, Write write, WriteConflict? conflict, ConflictState? saga, CancellationToken cancellationToken)
    {
        if (!await HasSubscriberAsync(write.ClientId, eventType, cancellationToken))
        {
            return [];
        }

        var endpoints = (await db.WebhookEndpoints.AsNoTracking()
                .Where(e => e.ClientId == write.ClientId && e.Enabled)
                .ToListAsync(cancellationToken))
            .Where(e => e.Subscribes(eventType))
            .ToList();
        var now = clock.GetUtcNow();
        var blockerClientId = write.HeldBehind is { } blocker
            ? await db.Writes.AsNoTracking().Where(w => w.Id == blocker).Select(w => (Guid?)w.ClientId).FirstOrDefaultAsync(cancellationToken)
            : null;
        var payload = WebhookPayloads.For(eventType, write, conflict, saga, blockerClientId, now, options.Value.Webhooks.PublicBaseUrl);
        var deliveries = endpoints.Select(endpoint => new WebhookDelivery
        {
            Id = NewId.NextGuid(),
            EndpointId = endpoint.Id,
            ClientId = write.ClientId,
            EventType = eventType,
            WriteId = write.Id,
            ConflictNumber = saga?.Conflicts,
            Payload = payload,
            CreatedAt = now,
            NextAttemptAt = now,
        }).ToList();
        db.WebhookDeliveries.AddRange(deliveries);
        return deliveries;
    }
}
