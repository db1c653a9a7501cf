using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using WritePipeline.Problems;

namespace WritePipeline.Webhooks;

/// <summary>The problems the webhook endpoints and deliveries, a client's and an operator's, are answered with.</summary>
public static class WebhookProblems
{
    public static ProblemHttpResult InvalidWebhook(string detail) =>
        Kinds.InvalidWebhook.Result(detail);

    public static ProblemHttpResult WebhookNotFound(string id) =>
        Kinds.WebhookNotFound.Result($"No webhook endpoint or delivery '{id}' belongs to this client.");

    /// <summary>The same problem for operators, who see every client's endpoints.</summary>
    public static ProblemHttpResult WebhookNotFoundForOperator(string id) =>
        Kinds.WebhookNotFound.Result($"No webhook endpoint or delivery '{id}'.");

    public static ProblemHttpResult TooManyEndpoints(int limit) =>
        Kinds.TooManyEndpoints.Result($"A client may have at most {limit} webhook endpoints, disabled ones included; remove one to add another.", new() { ["limit"] = limit });

    public static ProblemHttpResult EndpointDisabledByOperator(Guid id) =>
        Kinds.EndpointDisabledByOperator.Result($"Webhook endpoint '{id}' was disabled by an operator; only an operator can enable it again. Nothing was changed.");

    public static ProblemHttpResult InvalidWebhookAction(string detail) =>
        Kinds.InvalidWebhookAction.Result(detail);

    /// <summary>The kinds of <see cref="WebhookProblems"/>.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind InvalidWebhook = new(StatusCodes.Status400BadRequest, "invalid-webhook", "The webhook endpoint is not valid.");

        public static readonly ProblemKind WebhookNotFound = new(StatusCodes.Status404NotFound, "webhook-not-found", "The webhook endpoint or delivery does not exist.");

        public static readonly ProblemKind TooManyEndpoints = new(StatusCodes.Status409Conflict, "too-many-endpoints", "The client has as many webhook endpoints as it may have.");

        public static readonly ProblemKind EndpointDisabledByOperator = new(StatusCodes.Status409Conflict, "endpoint-disabled-by-operator", "An operator disabled this webhook endpoint.");

        public static readonly ProblemKind InvalidWebhookAction = new(StatusCodes.Status400BadRequest, "invalid-webhook-action", "The action on the webhook endpoint is not valid.");
    }
}
