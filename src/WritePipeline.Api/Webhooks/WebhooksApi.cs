using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WritePipeline.Clients;
using WritePipeline.Data;
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

        webhooks.MapPost("", Create).WithName("CreateWebhook")
            .WithDescription("Registers an endpoint (an HTTPS URL and the events it wants: write.conflicted, write.resolved, ...) for this client; the answer carries the endpoint's signing secret, this once. Deliveries are signed after the Standard Webhooks specification.").WithSummary("Add an endpoint; the answer carries its signing secret, once")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        webhooks.MapGet("", List).WithName("ListWebhooks")
            .WithDescription("This client's endpoints with their status and failure streak; never their secrets.").WithSummary("The client's endpoints");
        webhooks.MapGet("/{id}", Get).WithName("GetWebhook")
            .WithDescription("One of this client's endpoints with its status, failure streak and how its deliveries are going.").WithSummary("One endpoint and how its deliveries are going")
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPatch("/{id}", Update).WithName("UpdateWebhook")
            .WithDescription("Changes an endpoint's URL, events or description, or enables or disables it. An endpoint an operator disabled cannot be enabled by its client (409 endpoint-disabled-by-operator); one the pipeline disabled for failing can.")
            .WithSummary("Change the URL, events or description; enable or disable (not enable one an operator disabled: 409)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        webhooks.MapDelete("/{id}", Delete).WithName("DeleteWebhook")
            .WithDescription("Removes one of this client's endpoints; its pending deliveries fail.").WithSummary("Remove an endpoint")
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPost("/{id}/secret", RotateSecret).WithName("RotateWebhookSecret")
            .WithDescription("Issues a new signing secret, shown in this answer only; deliveries are signed with both the new and the previous secret for Webhooks:SecretRotationOverlap (24 h), so receivers can switch without missing one.")
            .WithSummary("Rotate the signing secret; the previous one keeps signing for the configured overlap")
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapGet("/{id}/deliveries", Deliveries).WithName("ListWebhookDeliveries")
            .WithDescription("An endpoint's recent deliveries, newest first, each with its attempts: status code, latency, and what the receiver answered.").WithSummary("Recent deliveries, newest first, with every attempt")
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPost("/{id}/deliveries/{deliveryId}/resend", Resend).WithName("ResendWebhookDelivery")
            .WithDescription("Attempts one of this client's deliveries once more, now (for a receiver that lost it or was down).").WithSummary("Attempt a delivery once more, now")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    static async Task<Results<Created<WebhookSecretView>, ProblemHttpResult>> Create(
        WebhookEndpointRequest request, HttpContext http, WritePipelineDbContext db, AddressGuard guard, WebhookOutbox outbox, TimeProvider clock,
        IOptions<WebhookOptions> options)
    {
        var refusal = guard.Refusal(request.Url) ?? EventsRefusal(request.Events, required: true) ?? DescriptionRefusal(request.Description);
        if (refusal is not null)
        {
            return WebhookProblems.InvalidWebhook(refusal).ToResult();
        }

        var clientId = http.User.ClientId();
        var limit = options.Value.MaxEndpointsPerClient;
        if (await db.WebhookEndpoints.CountAsync(e => e.ClientId == clientId, http.RequestAborted) >= limit)
        {
            return WebhookProblems.TooManyEndpoints(limit).ToResult();
        }

        var endpoint = new WebhookEndpoint
        {
            Id = NewId.NextGuid(),
            ClientId = clientId,
            Url = request.Url!,
            Events = string.Join(' ', request.Events!.Distinct(StringComparer.Ordinal)),
            Description = request.Description,
            Secret = WebhookSignatures.NewSecret(),
            CreatedAt = clock.GetUtcNow(),
        };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(http.RequestAborted);

        // Two registrations at the same moment can both pass the count above: the one made later gives way, so a client
        // never keeps more endpoints than the limit.
        if (await db.WebhookEndpoints.CountAsync(e => e.ClientId == clientId && e.CreatedAt <= endpoint.CreatedAt, http.RequestAborted) > limit)
        {
            db.WebhookEndpoints.Remove(endpoint);
            await db.SaveChangesAsync(CancellationToken.None);
            return WebhookProblems.TooManyEndpoints(limit).ToResult();
        }

        outbox.Forget(endpoint.ClientId);
        return TypedResults.Created(PathOf(endpoint.Id), new WebhookSecretView(WebhookEndpointView.For(endpoint), endpoint.Secret, null));
    }

    static async Task<Ok<IReadOnlyList<WebhookEndpointView>>> List(HttpContext http, WebhookEndpoints endpoints) =>
        TypedResults.Ok(await endpoints.ListAsync(http.User.ClientId(), http.RequestAborted));

    static async Task<Results<Ok<WebhookEndpointView>, ProblemHttpResult>> Get(string id, HttpContext http, WebhookEndpoints endpoints) =>
        await FindAsync(endpoints, http, id) is { } endpoint ? TypedResults.Ok(WebhookEndpointView.For(endpoint)) : WebhookProblems.WebhookNotFound(id).ToResult();

    static async Task<Results<Ok<WebhookEndpointView>, ProblemHttpResult>> Update(
        string id, WebhookEndpointRequest request, HttpContext http, WebhookEndpoints endpoints, AddressGuard guard)
    {
        if (await FindAsync(endpoints, http, id) is not { } endpoint)
        {
            return WebhookProblems.WebhookNotFound(id).ToResult();
        }

        var refusal = (request.Url is null ? null : guard.Refusal(request.Url))
            ?? (request.Events is null ? null : EventsRefusal(request.Events, required: true))
            ?? DescriptionRefusal(request.Description);
        if (refusal is not null)
        {
            return WebhookProblems.InvalidWebhook(refusal).ToResult();
        }

        // An operator stopped deliveries there (a receiver harming others, a compromised URL): that is theirs to undo.
        // One the pipeline disabled for failing, the client may enable again once its receiver is fixed.
        if (request.Enabled == true && endpoint.DisabledByOperator)
        {
            return WebhookProblems.EndpointDisabledByOperator(endpoint.Id).ToResult();
        }

        endpoint.Url = request.Url ?? endpoint.Url;
        endpoint.Events = request.Events is null ? endpoint.Events : string.Join(' ', request.Events.Distinct(StringComparer.Ordinal));
        endpoint.Description = request.Description ?? endpoint.Description;
        if (request.Enabled is { } enabled)
        {
            WebhookEndpoints.SetEnabled(endpoint, enabled, disabledReason: null);
        }

        await endpoints.SaveAsync(endpoint, http.RequestAborted);
        return TypedResults.Ok(WebhookEndpointView.For(endpoint));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, HttpContext http, WritePipelineDbContext db, WebhookEndpoints endpoints)
    {
        if (await FindAsync(endpoints, http, id) is not { } endpoint)
        {
            return WebhookProblems.WebhookNotFound(id).ToResult();
        }

        db.WebhookEndpoints.Remove(endpoint);
        await endpoints.SaveAsync(endpoint, http.RequestAborted);
        return TypedResults.NoContent();
    }

    static async Task<Results<Ok<WebhookSecretView>, ProblemHttpResult>> RotateSecret(
        string id, HttpContext http, WritePipelineDbContext db, WebhookEndpoints endpoints, TimeProvider clock, IOptions<WebhookOptions> options)
    {
        if (await FindAsync(endpoints, http, id) is not { } endpoint)
        {
            return WebhookProblems.WebhookNotFound(id).ToResult();
        }

        endpoint.PreviousSecret = endpoint.Secret;
        endpoint.PreviousSecretExpiresAt = clock.GetUtcNow() + options.Value.SecretRotationOverlap;
        endpoint.Secret = WebhookSignatures.NewSecret();
        await db.SaveChangesAsync(http.RequestAborted);
        return TypedResults.Ok(new WebhookSecretView(WebhookEndpointView.For(endpoint), endpoint.Secret, endpoint.PreviousSecretExpiresAt));
    }

    static async Task<Results<Ok<WebhookDeliveryPage>, ProblemHttpResult>> Deliveries(string id, int? limit, HttpContext http, WebhookEndpoints endpoints) =>
        Guid.TryParse(id, out var endpointId) && await endpoints.DeliveriesAsync(endpointId, http.User.ClientId(), limit, http.RequestAborted) is { } page
            ? TypedResults.Ok(page)
            : WebhookProblems.WebhookNotFound(id).ToResult();

    static async Task<Results<Accepted, ProblemHttpResult>> Resend(string id, string deliveryId, HttpContext http, WebhookEndpoints endpoints)
    {
        if (!Guid.TryParse(id, out var endpointId))
        {
            return WebhookProblems.WebhookNotFound(id).ToResult();
        }

        if (!Guid.TryParse(deliveryId, out var delivery))
        {
            // Whether the endpoint exists decides which id the answer names, as for a well-formed delivery id.
            return WebhookProblems.WebhookNotFound(await FindAsync(endpoints, http, id) is null ? id : deliveryId).ToResult();
        }

        return await endpoints.ResendAsync(endpointId, delivery, http.User.ClientId(), http.RequestAborted) switch
        {
            WebhookOutcome.Queued => TypedResults.Accepted(PathOf(endpointId) + "/deliveries"),
            WebhookOutcome.NotFound notFound => WebhookProblems.WebhookNotFound(notFound.Id == endpointId ? id : deliveryId).ToResult(),
            WebhookOutcome.Unanswered => ProblemCatalog.BrokerUnavailable("The resend could not be queued; try again.").ToResult(),
            var other => throw new InvalidOperationException($"Unexpected outcome {other}."),
        };
    }

    static async Task<WebhookEndpoint?> FindAsync(WebhookEndpoints endpoints, HttpContext http, string id) =>
        Guid.TryParse(id, out var endpointId) ? await endpoints.FindAsync(endpointId, http.User.ClientId(), http.RequestAborted) : null;

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
