using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Audit;
using WritePipeline.Clients;
using WritePipeline.Contracts;
using WritePipeline.Data;
using WritePipeline.Json;
using WritePipeline.Messaging;

namespace WritePipeline.Webhooks;

/// <summary>What came of an action on an endpoint or one of its deliveries.</summary>
public abstract record WebhookOutcome
{
    /// <summary>Enabled or disabled; the endpoint as it is now.</summary>
    public sealed record Changed(WebhookEndpointSummary Endpoint) : WebhookOutcome;

    /// <summary>The resend is on the broker; a worker attempts the delivery.</summary>
    public sealed record Queued(Guid EndpointId, Guid DeliveryId) : WebhookOutcome;

    /// <summary>No such endpoint (for a client: of its own), or no such delivery of the endpoint: <see cref="Id"/> says which.</summary>
    public sealed record NotFound(Guid Id) : WebhookOutcome;

    public sealed record Invalid(string Detail) : WebhookOutcome;

    /// <summary>The broker did not take the resend.</summary>
    public sealed record Unanswered : WebhookOutcome;
}

/// <summary>
/// Webhook endpoints and their deliveries, for their clients (scoped by a client id) and for operators (every client's,
/// each action audited): one path to the data for the client API, the admin API and the console.
/// </summary>
public sealed class WebhookEndpoints(WritePipelineDbContext db, WebhookOutbox outbox, IBus bus, WebhookCommandAddress commands, AuditLog audit, TimeProvider clock)
{
    public const int DefaultDeliveryLimit = 50;
    public const int MaxDeliveryLimit = 200;

    /// <summary>
    /// An operator's reason, after "disabled by operator:NAME: " (at most 109 characters), still fits the endpoint's
    /// 500-character <see cref="WebhookEndpoint.DisabledReason"/>.
    /// </summary>
    public const int MaxReasonLength = 300;

    /// <summary>How far back <see cref="WebhookEndpointSummary.FailedLast24h"/> counts failed deliveries.</summary>
    public static readonly TimeSpan FailedWindow = TimeSpan.FromHours(24);

    /// <summary>The endpoint, tracked for a change; of <paramref name="clientId"/> only, or of any client when it is null.</summary>
    public Task<WebhookEndpoint?> FindAsync(Guid endpointId, Guid? clientId, CancellationToken cancellationToken) =>
        Endpoints(clientId).SingleOrDefaultAsync(e => e.Id == endpointId, cancellationToken);

    /// <summary>A client's endpoints as it sees them, oldest first.</summary>
    public async Task<IReadOnlyList<WebhookEndpointView>> ListAsync(Guid clientId, CancellationToken cancellationToken) =>
        [.. (await Endpoints(clientId).AsNoTracking().OrderBy(e => e.CreatedAt).ToListAsync(cancellationToken)).Select(WebhookEndpointView.For)];

    /// <summary>Endpoints of <paramref name="clientId"/>, or of every client when it is null, with how their deliveries are going; oldest first.</summary>
    public Task<IReadOnlyList<WebhookEndpointSummary>> SummariesAsync(Guid? clientId, CancellationToken cancellationToken) =>
        SummariesAsync(Endpoints(clientId), cancellationToken);

    public async Task<WebhookEndpointSummary?> SummaryAsync(Guid endpointId, CancellationToken cancellationToken) =>
        (await SummariesAsync(Endpoints(null).Where(e => e.Id == endpointId), cancellationToken)).SingleOrDefault();

    /// <summary>The endpoint's recent deliveries, newest first, each with every attempt; null when there is no such endpoint (of the client).</summary>
    public async Task<WebhookDeliveryPage?> DeliveriesAsync(Guid endpointId, Guid? clientId, int? limit, CancellationToken cancellationToken)
    {
        if (!await Endpoints(clientId).AnyAsync(e => e.Id == endpointId, cancellationToken))
        {
            return null;
        }

        var deliveries = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.EndpointId == endpointId)
            .OrderByDescending(d => d.CreatedAt)
            .Take(Math.Clamp(limit ?? DefaultDeliveryLimit, 1, MaxDeliveryLimit))
            .ToListAsync(cancellationToken);
        var ids = deliveries.Select(d => d.Id).ToList();
        var attempts = (await db.WebhookAttempts.AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).ToListAsync(cancellationToken))
            .ToLookup(a => a.DeliveryId);
        return new WebhookDeliveryPage([.. deliveries.Select(d => new WebhookDeliveryView(
            d.Id, d.WebhookId, d.EventType, d.WriteId, d.Status, d.Attempts, d.CreatedAt, d.NextAttemptAt, d.LastStatusCode,
            [.. attempts[d.Id].OrderBy(a => a.Number).Select(WebhookAttemptView.For)]))]);
    }

    /// <summary>
    /// Enables or disables <paramref name="endpoint"/> (not saved). Enabled again, it starts afresh: no reason, no failure
    /// streak. Disabled, it keeps its earlier reason unless <paramref name="disabledReason"/> gives one.
    /// </summary>
    public static void SetEnabled(WebhookEndpoint endpoint, bool enabled, string? disabledReason)
    {
        endpoint.Enabled = enabled;
        if (enabled)
        {
            endpoint.DisabledReason = null;
            endpoint.FailureStreak = 0;
            endpoint.FailingSince = null;
        }
        else if (disabledReason is not null)
        {
            endpoint.DisabledReason = disabledReason;
        }
    }

    /// <summary>Saves a changed endpoint; this process's outbox sees its subscriptions anew at once.</summary>
    public async Task SaveAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        outbox.Forget(endpoint.ClientId);
    }

    /// <summary>Attempts a delivery of the endpoint once more, now (workers run the timers: the resend is theirs to carry out).</summary>
    public async Task<WebhookOutcome> ResendAsync(Guid endpointId, Guid deliveryId, Guid? clientId, CancellationToken cancellationToken) =>
        (await ResendDeliveryAsync(endpointId, deliveryId, clientId, cancellationToken)).Outcome;

    /// <summary>An operator enables any client's endpoint (a fresh start, as when its client does); audited.</summary>
    public Task<WebhookOutcome> EnableByOperatorAsync(Guid endpointId, string actor, string? reason, CancellationToken cancellationToken) =>
        SetEnabledByOperatorAsync(endpointId, true, actor, reason, cancellationToken);

    /// <summary>An operator disables any client's endpoint; its reason reads "disabled by operator:NAME[: reason]"; audited.</summary>
    public Task<WebhookOutcome> DisableByOperatorAsync(Guid endpointId, string actor, string? reason, CancellationToken cancellationToken) =>
        SetEnabledByOperatorAsync(endpointId, false, actor, reason, cancellationToken);

    /// <summary>An operator resends a delivery of any client's endpoint; audited, with the write it is about.</summary>
    public async Task<WebhookOutcome> ResendByOperatorAsync(Guid endpointId, Guid deliveryId, string actor, CancellationToken cancellationToken)
    {
        var (outcome, endpoint, delivery) = await ResendDeliveryAsync(endpointId, deliveryId, null, cancellationToken);
        if (endpoint is not null && delivery is not null)
        {
            await AuditAsync(new AuditEntry
            {
                Actor = actor,
                Action = AuditActions.WebhookResend,
                WriteId = delivery.WriteId,
                Subject = Subject(endpoint),
                Outcome = outcome is WebhookOutcome.Queued ? AuditOutcomes.Taken : AuditOutcomes.Unanswered,
                Detail = $"delivery {delivery.Id} ({delivery.EventType})",
                Before = new JsonObject { ["status"] = delivery.Status, ["attempts"] = delivery.Attempts }.ToReadableJson(),
                After = new JsonObject { ["status"] = WebhookDeliveryStatus.Pending }.ToReadableJson(),
            });
        }

        return outcome;
    }

    async Task<(WebhookOutcome Outcome, WebhookEndpoint? Endpoint, WebhookDelivery? Delivery)> ResendDeliveryAsync(
        Guid endpointId, Guid deliveryId, Guid? clientId, CancellationToken cancellationToken)
    {
        var endpoint = await Endpoints(clientId).AsNoTracking().SingleOrDefaultAsync(e => e.Id == endpointId, cancellationToken);
        if (endpoint is null)
        {
            return (new WebhookOutcome.NotFound(endpointId), null, null);
        }

        var delivery = await db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deliveryId && d.EndpointId == endpointId, cancellationToken);
        if (delivery is null)
        {
            return (new WebhookOutcome.NotFound(deliveryId), endpoint, null);
        }

        try
        {
            await bus.SendMandatoryAsync(commands.SendAddress, new ResendWebhookDelivery { DeliveryId = deliveryId }, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (new WebhookOutcome.Unanswered(), endpoint, delivery);
        }

        return (new WebhookOutcome.Queued(endpointId, deliveryId), endpoint, delivery);
    }

    async Task<WebhookOutcome> SetEnabledByOperatorAsync(Guid endpointId, bool enabled, string actor, string? reason, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(endpointId, null, cancellationToken);
        if (endpoint is null)
        {
            return new WebhookOutcome.NotFound(endpointId);
        }

        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        var before = State(endpoint);
        var entry = new AuditEntry
        {
            Actor = actor,
            Action = enabled ? AuditActions.WebhookEnable : AuditActions.WebhookDisable,
            Subject = Subject(endpoint),
            Outcome = AuditOutcomes.Taken,
            Reason = reason,
            Before = before,
        };
        if (reason?.Length > MaxReasonLength)
        {
            var invalid = new WebhookOutcome.Invalid($"The reason is limited to {MaxReasonLength} characters.");
            entry.Outcome = AuditOutcomes.Invalid;
            entry.Detail = invalid.Detail;
            entry.Reason = reason[..MaxReasonLength];
            await AuditAsync(entry);
            return invalid;
        }

        // The actor is "operator:NAME": the reason starts with WebhookEndpoint.ByOperatorPrefix, which keeps the client from enabling it.
        SetEnabled(endpoint, enabled, enabled ? null : $"disabled by {actor}" + (reason is null ? null : ": " + reason));
        entry.After = State(endpoint);

        // The audit log shares this unit of work: the change and its entry are saved together, or neither is.
        await AuditAsync(entry);
        outbox.Forget(endpoint.ClientId);
        return await SummaryAsync(endpointId, cancellationToken) is { } summary
            ? new WebhookOutcome.Changed(summary)
            : new WebhookOutcome.NotFound(endpointId); // deleted by its client just now
    }

    /// <summary>Recorded even when the caller has gone: the action itself may have been taken.</summary>
    Task AuditAsync(AuditEntry entry) => audit.RecordAsync(entry, CancellationToken.None);

    IQueryable<WebhookEndpoint> Endpoints(Guid? clientId) =>
        clientId is { } client ? db.WebhookEndpoints.Where(e => e.ClientId == client) : db.WebhookEndpoints;

    async Task<IReadOnlyList<WebhookEndpointSummary>> SummariesAsync(IQueryable<WebhookEndpoint> endpoints, CancellationToken cancellationToken)
    {
        var failedSince = clock.GetUtcNow() - FailedWindow;

        // Projected column by column: the signing secrets never leave the database here. Each figure is a subquery on
        // one endpoint's deliveries, which the (endpoint, created) index serves.
        var rows = await endpoints.AsNoTracking()
            .OrderBy(e => e.CreatedAt)
            .Select(e => new
            {
                e.Id,
                e.ClientId,
                ClientName = db.Set<Client>().Where(c => c.Id == e.ClientId).Select(c => c.Name).FirstOrDefault(),
                e.Url,
                e.Description,
                e.Events,
                e.Enabled,
                e.DisabledReason,
                e.FailureStreak,
                e.FailingSince,
                LastDeliveryAt = db.Set<WebhookDelivery>().Where(d => d.EndpointId == e.Id && d.Attempts > 0)
                    .OrderByDescending(d => d.CreatedAt).Select(d => (DateTimeOffset?)d.CreatedAt).FirstOrDefault(),
                LastStatusCode = db.Set<WebhookDelivery>().Where(d => d.EndpointId == e.Id && d.Attempts > 0)
                    .OrderByDescending(d => d.CreatedAt).Select(d => d.LastStatusCode).FirstOrDefault(),
                Pending = db.Set<WebhookDelivery>().Count(d => d.EndpointId == e.Id && d.Status == WebhookDeliveryStatus.Pending),
                FailedLast24h = db.Set<WebhookDelivery>().Count(d => d.EndpointId == e.Id && d.Status == WebhookDeliveryStatus.Failed && d.CompletedAt >= failedSince),
            })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new WebhookEndpointSummary(
            r.Id, r.ClientId, r.ClientName, r.Url, r.Description, r.Events.Split(' ', StringSplitOptions.RemoveEmptyEntries), r.Enabled, r.DisabledReason,
            r.FailureStreak, r.FailingSince, r.LastDeliveryAt, r.LastStatusCode, r.Pending, r.FailedLast24h))];
    }

    static string State(WebhookEndpoint endpoint) =>
        new JsonObject { ["enabled"] = endpoint.Enabled, ["disabledReason"] = endpoint.DisabledReason }.ToReadableJson();

    /// <summary>The endpoint's id and URL, cut to what the audit log keeps (URLs may be longer).</summary>
    static string Subject(WebhookEndpoint endpoint)
    {
        var subject = $"{endpoint.Id} {endpoint.Url}";
        return subject.Length <= AuditEntry.MaxSubjectLength ? subject : subject[..AuditEntry.MaxSubjectLength];
    }
}
