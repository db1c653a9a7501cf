using WritePipeline.Problems;

namespace WritePipeline.Webhooks;

/// <summary>The problems the webhook endpoints and deliveries, a client's and an operator's, are answered with.</summary>
public static class WebhookProblems
{
    public static Problem InvalidWebhook(string detail) =>
        Kinds.InvalidWebhook.Problem(detail);

    public static Problem WebhookNotFound(string id) =>
        Kinds.WebhookNotFound.Problem($"No webhook endpoint or delivery '{id}' belongs to this client.");

    /// <summary>The same problem for operators, who see every client's endpoints.</summary>
    public static Problem WebhookNotFoundForOperator(string id) =>
        Kinds.WebhookNotFound.Problem($"No webhook endpoint or delivery '{id}'.");

    public static Problem TooManyEndpoints(int limit) =>
        Kinds.TooManyEndpoints.Problem($"A client may have at most {limit} webhook endpoints, disabled ones included; remove one to add another.", new() { ["limit"] = limit });

    public static Problem EndpointDisabledByOperator(Guid id) =>
        Kinds.EndpointDisabledByOperator.Problem($"Webhook endpoint '{id}' was disabled by an operator; only an operator can enable it again. Nothing was changed.");

    public static Problem InvalidWebhookAction(string detail) =>
        Kinds.InvalidWebhookAction.Problem(detail);

    /// <summary>The kinds of <see cref="WebhookProblems"/>.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind InvalidWebhook = new(400, "invalid-webhook", "The webhook endpoint is not valid.");

        public static readonly ProblemKind WebhookNotFound = new(404, "webhook-not-found", "The webhook endpoint or delivery does not exist.");

        public static readonly ProblemKind TooManyEndpoints = new(409, "too-many-endpoints", "The client has as many webhook endpoints as it may have.");

        public static readonly ProblemKind EndpointDisabledByOperator = new(409, "endpoint-disabled-by-operator", "An operator disabled this webhook endpoint.");

        public static readonly ProblemKind InvalidWebhookAction = new(400, "invalid-webhook-action", "The action on the webhook endpoint is not valid.");
    }
}
