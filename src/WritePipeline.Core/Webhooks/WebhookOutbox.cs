using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using WritePipeline.Data;
using WritePipeline.Json;

namespace WritePipeline.Webhooks;

/// <summary>
/// Records the webhook deliveries an event owes, in the caller's unit of work: they commit with the change they
/// report, or not at all. Their first attempt is a timer set afterwards (<see cref="WebhookTimers"/>).
/// </summary>
public sealed class WebhookOutbox(WritePipelineDbContext db, IMemoryCache cache, TimeProvider clock)
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

    /// <summary>
    /// The deliveries the event owes: one per enabled endpoint of its client that subscribes to it, each with the body
    /// <c>{type, timestamp, data}</c>. Ask <see cref="HasSubscriberAsync"/> first (it is cached): an event nobody
    /// subscribes to then costs neither its data nor a query.
    /// </summary>
    public async Task<IReadOnlyList<WebhookDelivery>> AddAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        var endpoints = (await db.WebhookEndpoints.AsNoTracking()
                .Where(e => e.ClientId == webhookEvent.ClientId && e.Enabled)
                .ToListAsync(cancellationToken))
            .Where(e => e.Subscribes(webhookEvent.Type))
            .ToList();
        var now = clock.GetUtcNow();
        var payload = new JsonObject
        {
            ["type"] = webhookEvent.Type,
            ["timestamp"] = now.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["data"] = webhookEvent.Data,
        }.ToReadableJson();
        var deliveries = endpoints.Select(endpoint => new WebhookDelivery
        {
            Id = NewId.NextGuid(),
            EndpointId = endpoint.Id,
            ClientId = webhookEvent.ClientId,
            EventType = webhookEvent.Type,
            WriteId = webhookEvent.WriteId,
            ConflictNumber = webhookEvent.ConflictNumber,
            Payload = payload,
            CreatedAt = now,
            NextAttemptAt = now,
        }).ToList();
        db.WebhookDeliveries.AddRange(deliveries);
        return deliveries;
    }
}

/// <summary>
/// An event a client may subscribe to: what happened (<see cref="WebhookEvents"/>), to which write and, for a conflict's
/// events, which of its conflicts; <see cref="Data"/> is the body's <c>data</c>, built by the feature whose event it is.
/// </summary>
public sealed record WebhookEvent(string Type, Guid ClientId, Guid WriteId, int? ConflictNumber, JsonObject Data);
