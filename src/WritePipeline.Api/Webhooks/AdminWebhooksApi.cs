using Microsoft.AspNetCore.Http.HttpResults;
using WritePipeline.Operators;
using WritePipeline.Problems;

namespace WritePipeline.Webhooks;

/// <summary>Why an operator enables or disables an endpoint; the body is optional.</summary>
public sealed record WebhookOperatorRequest(string? Reason);

/// <summary>
/// The operators' API over every client's webhook endpoints: how their deliveries are going, enabling and disabling
/// them, resending a delivery. Through the same service as the clients' API; every action is audited.
/// </summary>
public static class AdminWebhooksApi
{
    public static IEndpointRouteBuilder MapAdminWebhooksApi(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/v1/admin/webhooks")
            .WithTags("Admin")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        webhooks.MapGet("", List).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminListWebhooks")
            .WithDescription("Webhook endpoints of every client, or of the client given, with their status, failure streak and recent delivery outcomes; secrets are never shown. Viewer role or above.")
            .WithSummary("Every client's webhook endpoints, or one client's, with how their deliveries are going (never their secrets)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        webhooks.MapGet("/{id}/deliveries", Deliveries).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminListWebhookDeliveries")
            .WithDescription("An endpoint's recent deliveries, newest first, with every attempt's status code, latency and response excerpt. Viewer role or above.")
            .WithSummary("An endpoint's recent deliveries, newest first, with every attempt")
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPost("/{id}/enable", Enable).RequireAuthorization(OperatorPolicies.Act)
            .WithName("AdminEnableWebhook")
            .WithDescription("Enables an endpoint again with a fresh start (failure streak cleared); its pending deliveries are attempted again. Operator role or above; audited.")
            .WithSummary("Enable an endpoint again, with a fresh start (no failure streak); audited")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPost("/{id}/disable", Disable).RequireAuthorization(OperatorPolicies.Act)
            .WithName("AdminDisableWebhook")
            .WithDescription("Disables an endpoint, with an optional reason; its deliveries stop until it is enabled again, and a client cannot re-enable what an operator disabled. Operator role or above; audited.")
            .WithSummary("Disable an endpoint, optionally saying why (body {\"reason\": \"...\"}); audited")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPost("/{id}/deliveries/{deliveryId}/resend", Resend).RequireAuthorization(OperatorPolicies.Act)
            .WithName("AdminResendWebhookDelivery")
            .WithDescription("Attempts a delivery once more, now, whatever its state. Operator role or above; audited.")
            .WithSummary("Attempt a delivery once more, now; audited")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    static async Task<Ok<IReadOnlyList<WebhookEndpointSummary>>> List(Guid? client, WebhookEndpoints endpoints, HttpContext http) =>
        TypedResults.Ok(await endpoints.SummariesAsync(client, http.RequestAborted));

    static async Task<Results<Ok<WebhookDeliveryPage>, ProblemHttpResult>> Deliveries(string id, int? limit, WebhookEndpoints endpoints, HttpContext http) =>
        Guid.TryParse(id, out var endpointId) && await endpoints.DeliveriesAsync(endpointId, null, limit, http.RequestAborted) is { } page
            ? TypedResults.Ok(page)
            : WebhookProblems.WebhookNotFoundForOperator(id).ToResult();

    static async Task<Results<Ok<WebhookEndpointSummary>, ProblemHttpResult>> Enable(
        string id, WebhookOperatorRequest? request, WebhookEndpoints endpoints, HttpContext http) =>
        Guid.TryParse(id, out var endpointId)
            ? Answer(await endpoints.EnableByOperatorAsync(endpointId, http.User.Actor(), request?.Reason, http.RequestAborted))
            : WebhookProblems.WebhookNotFoundForOperator(id).ToResult();

    static async Task<Results<Ok<WebhookEndpointSummary>, ProblemHttpResult>> Disable(
        string id, WebhookOperatorRequest? request, WebhookEndpoints endpoints, HttpContext http) =>
        Guid.TryParse(id, out var endpointId)
            ? Answer(await endpoints.DisableByOperatorAsync(endpointId, http.User.Actor(), request?.Reason, http.RequestAborted))
            : WebhookProblems.WebhookNotFoundForOperator(id).ToResult();

    static async Task<Results<Accepted, ProblemHttpResult>> Resend(string id, string deliveryId, WebhookEndpoints endpoints, HttpContext http)
    {
        if (!Guid.TryParse(id, out var endpointId) || !Guid.TryParse(deliveryId, out var delivery))
        {
            return WebhookProblems.WebhookNotFoundForOperator(Guid.TryParse(id, out _) ? deliveryId : id).ToResult();
        }

        return await endpoints.ResendByOperatorAsync(endpointId, delivery, http.User.Actor(), http.RequestAborted) switch
        {
            WebhookOutcome.Queued => TypedResults.Accepted($"/v1/admin/webhooks/{endpointId}/deliveries"),
            WebhookOutcome.NotFound notFound => WebhookProblems.WebhookNotFoundForOperator(notFound.Id.ToString()).ToResult(),
            WebhookOutcome.Unanswered => ProblemCatalog.BrokerUnavailable("The resend could not be queued; try again.").ToResult(),
            var other => throw new InvalidOperationException($"Unexpected outcome {other}."),
        };
    }

    static Results<Ok<WebhookEndpointSummary>, ProblemHttpResult> Answer(WebhookOutcome outcome) => outcome switch
    {
        WebhookOutcome.Changed changed => TypedResults.Ok(changed.Endpoint),
        WebhookOutcome.NotFound notFound => WebhookProblems.WebhookNotFoundForOperator(notFound.Id.ToString()).ToResult(),
        WebhookOutcome.Invalid invalid => WebhookProblems.InvalidWebhookAction(invalid.Detail).ToResult(),
        var other => throw new InvalidOperationException($"Unexpected outcome {other}."),
    };
}
