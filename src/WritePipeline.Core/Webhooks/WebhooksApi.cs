using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WritePipeline.Clients;
using WritePipeline.Conflicts;
using WritePipeline.Contracts;
using WritePipeline.Data;
using WritePipeline.Messaging;
using WritePipeline.Problems;

namespace WritePipeline.Webhooks;

/// <summary>The endpoint as a client sends it: everything optional on update.</summary>
public sealed record WebhookEndpointRequest(string? Url, List<string>? Events, string? Description, bool? Enabled);

/// <summary>Clients manage where their webhooks go, rotate signing secrets, and look at and resend deliveries.</summary>
public static class WebhooksApi
{
    public const int MaxDescriptionLength = 500;

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/v1/webhooks")
            .RequireAuthorization()
            .WithTags("Webhooks")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        webhooks.MapPost("", Create).WithName("CreateWebhook").WithSummary("Add an endpoint; the answer carries its signing secret, once")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        webhooks.MapGet("", List).WithName("ListWebhooks").WithSummary("The client's endpoints");
        webhooks.MapGet("/{id}", Get).WithName("GetWebhook").WithSummary("One endpoint and how its deliveries are going")
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPatch("/{id}", Update).WithName("UpdateWebhook").WithSummary("Change the URL, events or description; enable or disable")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapDelete("/{id}", Delete).WithName("DeleteWebhook").WithSummary("Remove an endpoint")
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPost("/{id}/secret", RotateSecret).WithName("RotateWebhookSecret")
            .WithSummary("Rotate the signing secret; the previous one keeps signing for the configured overlap")
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapGet("/{id}/deliveries", Deliveries).WithName("ListWebhookDeliveries").WithSummary("Recent deliveries, newest first, with every attempt")
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPost("/{id}/deliveries/{deliveryId}/resend", Resend).WithName("ResendWebhookDelivery").WithSummary("Attempt a delivery once more, now")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    static async Task<Results<Created<WebhookSecretView>, ProblemHttpResult>> Create(
        WebhookEndpointRequest request, HttpContext http, WritePipelineDbContext db, AddressGuard guard, WebhookOutbox outbox, TimeProvider clock)
    {
        var refusal = guard.Refusal(request.Url) ?? EventsRefusal(request.Events, required: true) ?? DescriptionRefusal(request.Description);
        if (refusal is not null)
        {
            return ProblemCatalog.InvalidWebhook(refusal);
        }

        var endpoint = new WebhookEndpoint
        {
            Id = NewId.NextGuid(),
            ClientId = http.User.ClientId(),
            Url = request.Url!,
            Events = string.Join(' ', request.Events!.Distinct(StringComparer.Ordinal)),
            Description = request.Description,
            Secret = WebhookSignatures.NewSecret(),
            CreatedAt = clock.GetUtcNow(),
        };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(http.RequestAborted);
        outbox.Forget(endpoint.ClientId);
        return TypedResults.Created(PathOf(endpoint.Id), new WebhookSecretView(WebhookEndpointView.For(endpoint), endpoint.Secret, null));
    }

    static async Task<Ok<List<WebhookEndpointView>>> List(HttpContext http, WritePipelineDbContext db)
    {
        var clientId = http.User.ClientId();
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => e.ClientId == clientId).OrderBy(e => e.CreatedAt).ToListAsync(http.RequestAborted);
        return TypedResults.Ok(endpoints.Select(WebhookEndpointView.For).ToList());
    }

    static async Task<Results<Ok<WebhookEndpointView>, ProblemHttpResult>> Get(string id, HttpContext http, WritePipelineDbContext db) =>
        await FindAsync(db, http, id) is { } endpoint ? TypedResults.Ok(WebhookEndpointView.For(endpoint)) : ProblemCatalog.WebhookNotFound(id);

    static async Task<Results<Ok<WebhookEndpointView>, ProblemHttpResult>> Update(
        string id, WebhookEndpointRequest request, HttpContext http, WritePipelineDbContext db, AddressGuard guard, WebhookOutbox outbox)
    {
        if (await FindAsync(db, http, id) is not { } endpoint)
        {
            return ProblemCatalog.WebhookNotFound(id);
        }

        var refusal = (request.Url is null ? null : guard.Refusal(request.Url))
            ?? (request.Events is null ? null : EventsRefusal(request.Events, required: true))
            ?? DescriptionRefusal(request.Description);
        if (refusal is not null)
        {
            return ProblemCatalog.InvalidWebhook(refusal);
        }

        endpoint.Url = request.Url ?? endpoint.Url;
        endpoint.Events = request.Events is null ? endpoint.Events : string.Join(' ', request.Events.Distinct(StringComparer.Ordinal));
        endpoint.Description = request.Description ?? endpoint.Description;
        if (request.Enabled is { } enabled)
        {
            endpoint.Enabled = enabled;
            if (enabled)
            {
                // Enabled again by its owner: a fresh start.
                endpoint.DisabledReason = null;
                endpoint.FailureStreak = 0;
                endpoint.FailingSince = null;
            }
        }

        await db.SaveChangesAsync(http.RequestAborted);
        outbox.Forget(endpoint.ClientId);
        return TypedResults.Ok(WebhookEndpointView.For(endpoint));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, HttpContext http, WritePipelineDbContext db, WebhookOutbox outbox)
    {
        if (await FindAsync(db, http, id) is not { } endpoint)
        {
            return ProblemCatalog.WebhookNotFound(id);
        }

        db.WebhookEndpoints.Remove(endpoint);
        await db.SaveChangesAsync(http.RequestAborted);
        outbox.Forget(endpoint.ClientId);
        return TypedResults.NoContent();
    }

    static async Task<Results<Ok<WebhookSecretView>, ProblemHttpResult>> RotateSecret(
        string id, HttpContext http, WritePipelineDbContext db, TimeProvider clock, IOptions<WritePipelineOptions> options)
    {
        if (await FindAsync(db, http, id) is not { } endpoint)
        {
            return ProblemCatalog.WebhookNotFound(id);
        }

        endpoint.PreviousSecret = endpoint.Secret;
        endpoint.PreviousSecretExpiresAt = clock.GetUtcNow() + options.Value.Webhooks.SecretRotationOverlap;
        endpoint.Secret = WebhookSignatures.NewSecret();
        await db.SaveChangesAsync(http.RequestAborted);
        return TypedResults.Ok(new WebhookSecretView(WebhookEndpointView.For(endpoint), endpoint.Secret, endpoint.PreviousSecretExpiresAt));
    }

    static async Task<Results<Ok<WebhookDeliveryPage>, ProblemHttpResult>> Deliveries(string id, int? limit, HttpContext http, WritePipelineDbContext db)
    {
        if (await FindAsync(db, http, id) is not { } endpoint)
        {
            return ProblemCatalog.WebhookNotFound(id);
        }

        var deliveries = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.EndpointId == endpoint.Id)
            .OrderByDescending(d => d.CreatedAt)
            .Take(Math.Clamp(limit ?? 50, 1, 200))
            .ToListAsync(http.RequestAborted);
        var ids = deliveries.Select(d => d.Id).ToList();
        var attempts = (await db.WebhookAttempts.AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).ToListAsync(http.RequestAborted))
            .ToLookup(a => a.DeliveryId);
        return TypedResults.Ok(new WebhookDeliveryPage([.. deliveries.Select(d => new WebhookDeliveryView(
            d.Id, d.WebhookId, d.EventType, d.WriteId, d.Status, d.Attempts, d.CreatedAt, d.NextAttemptAt, d.LastStatusCode,
            [.. attempts[d.Id].OrderBy(a => a.Number).Select(WebhookAttemptView.For)]))]));
    }

    static async Task<Results<Accepted, ProblemHttpResult>> Resend(string id, string deliveryId, HttpContext http, WritePipelineDbContext db, IBus bus)
    {
        var endpoint = await FindAsync(db, http, id);
        if (endpoint is null || !Guid.TryParse(deliveryId, out var delivery)
            || !await db.WebhookDeliveries.AnyAsync(d => d.Id == delivery && d.EndpointId == endpoint.Id, http.RequestAborted))
        {
            return ProblemCatalog.WebhookNotFound(endpoint is null ? id : deliveryId);
        }

        try
        {
            // Workers run the timers: the resend is theirs to carry out.
            await bus.SendMandatoryAsync(ConflictTopology.SendAddress, new ResendWebhookDelivery { DeliveryId = delivery }, http.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ProblemCatalog.BrokerUnavailable("The resend could not be queued; try again.");
        }

        return TypedResults.Accepted(PathOf(endpoint.Id) + "/deliveries");
    }

    static async Task<WebhookEndpoint?> FindAsync(WritePipelineDbContext db, HttpContext http, string id)
    {
        var clientId = http.User.ClientId();
        return Guid.TryParse(id, out var endpointId)
            ? await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == endpointId && e.ClientId == clientId, http.RequestAborted)
            : null;
    }

    static string? EventsRefusal(List<string>? events, bool required) => events switch
    {
        null or [] when required => "'events' must name at least one of: " + string.Join(", ", WebhookEvents.All) + ".",
        _ when events!.FirstOrDefault(e => !WebhookEvents.IsKnown(e)) is { } unknown =>
            $"Unknown event '{unknown}'; use " + string.Join(", ", WebhookEvents.All) + ".",
        _ => null,
    };

    static string? DescriptionRefusal(string? description) =>
        description?.Length > MaxDescriptionLength ? $"'description' is limited to {MaxDescriptionLength} characters." : null;

    static string PathOf(Guid id) => "/v1/webhooks/" + id;
}
