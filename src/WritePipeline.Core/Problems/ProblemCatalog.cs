using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace WritePipeline.Problems;

/// <summary>
/// Every RFC 9457 problem the API answers with, each with a stable <c>type</c> URI that clients can branch on.
/// docs/api.md lists them; keep the two together.
/// </summary>
public static class ProblemCatalog
{
    public const string TypeBase = "https://writepipeline.dev/problems/";

    public static ProblemHttpResult MalformedJson(string detail) =>
        Create(StatusCodes.Status400BadRequest, "malformed-json", "The body is not valid JSON.", detail);

    public static ProblemHttpResult InvalidDocument(string detail) =>
        Create(StatusCodes.Status400BadRequest, "invalid-document", "The document or patch has the wrong shape.", detail);

    public static ProblemHttpResult InvalidName(string detail) =>
        Create(StatusCodes.Status400BadRequest, "invalid-name", "The collection name or record key is not valid.", detail);

    public static ProblemHttpResult InvalidHeader(string detail) =>
        Create(StatusCodes.Status400BadRequest, "invalid-header", "A request header is not valid.", detail);

    public static ProblemHttpResult InvalidQuery(string detail) =>
        Create(StatusCodes.Status400BadRequest, "invalid-query", "A query parameter is not valid.", detail);

    public static ProblemHttpResult Unauthorized(string detail) =>
        Create(StatusCodes.Status401Unauthorized, "unauthorized", "A valid API key is required.", detail);

    public static ProblemHttpResult Forbidden(string detail) =>
        Create(StatusCodes.Status403Forbidden, "forbidden", "Not allowed.", detail);

    public static ProblemHttpResult UnknownCollection(string collection) =>
        Create(StatusCodes.Status404NotFound, "unknown-collection", "The collection is not declared.", $"No collection named '{collection}' is declared.");

    public static ProblemHttpResult RecordNotFound(string collection, string key) =>
        Create(StatusCodes.Status404NotFound, "record-not-found", "The record does not exist.", $"'{collection}/{key}' does not exist or was deleted.");

    public static ProblemHttpResult WriteNotFound(Guid writeId) =>
        Create(StatusCodes.Status404NotFound, "write-not-found", "The write does not exist.", $"No write {writeId} was accepted for this client (or, for operators, at all).");

    /// <summary>A request the framework could not read (its status: 400, or 413, 415, 431...).</summary>
    public static ProblemHttpResult Unreadable(int status, string detail) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => Create(status, "payload-too-large", "The body is too large.", detail),
        StatusCodes.Status415UnsupportedMediaType => Create(status, "unsupported-media-type", "The content type is not supported here.", detail),
        _ => Create(status is >= 400 and < 500 ? status : StatusCodes.Status400BadRequest, "bad-request", "The request is not valid.", detail),
    };

    public static ProblemHttpResult PayloadTooLarge(int limit) =>
        Create(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "The body is too large.", $"Bodies are limited to {limit} bytes.");

    public static ProblemHttpResult UnsupportedMediaType(string expected) =>
        Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "The content type is not supported here.", $"Send the body as {expected}.");

    public static ProblemHttpResult IdempotencyKeyMismatch(string key) =>
        Create(StatusCodes.Status422UnprocessableEntity, "idempotency-key-mismatch", "The Idempotency-Key was used with a different request.", $"Idempotency-Key '{key}' was first used with another request; use a new key for a new request.");

    public static ProblemHttpResult BrokerUnavailable(string detail) =>
        Create(StatusCodes.Status503ServiceUnavailable, "broker-unavailable", "The write could not be queued; nothing was accepted.", detail);

    public static ProblemHttpResult TooManyRequests(int retryAfterSeconds) =>
        Create(StatusCodes.Status429TooManyRequests, "too-many-requests", "This client sends requests faster than its limit; nothing was accepted.", $"Retry after {retryAfterSeconds} s (Retry-After). The RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset headers of every answer say where the client stands.");

    public static ProblemHttpResult BacklogFull(int partition) =>
        Create(StatusCodes.Status503ServiceUnavailable, "backlog-full", "Too many writes are waiting for this record's partition; nothing was accepted.", $"Partition {partition} has more writes waiting than the limit. Writes to other records may still be accepted; retry this one later (with the same Idempotency-Key).");

    public static ProblemHttpResult DatabaseUnavailable(string detail) =>
        Create(StatusCodes.Status503ServiceUnavailable, "database-unavailable", "The database could not be reached; nothing was accepted or changed.", detail);

    public static ProblemHttpResult InvalidResolution(string detail) =>
        Create(StatusCodes.Status400BadRequest, "invalid-resolution", "The decision is not valid.", detail);

    public static ProblemHttpResult ResolutionNotAllowed(string status, string detail) =>
        Create(StatusCodes.Status409Conflict, "resolution-not-allowed", "The decision cannot be taken in the write's current state.", detail, new() { ["writeStatus"] = status });

    public static ProblemHttpResult DecisionUnavailable(string detail) =>
        Create(StatusCodes.Status503ServiceUnavailable, "decision-unavailable", "No answer about the decision in time.", detail);

    public static ProblemHttpResult InvalidBulkAction(string detail) =>
        Create(StatusCodes.Status400BadRequest, "invalid-bulk-action", "The bulk action is not valid.", detail);

    public static ProblemHttpResult BulkActionNotFound(Guid id) =>
        Create(StatusCodes.Status404NotFound, "bulk-action-not-found", "The bulk action does not exist.", $"No bulk action '{id}'.");

    public static ProblemHttpResult InvalidOperator(string detail) =>
        Create(StatusCodes.Status400BadRequest, "invalid-operator", "The operator account is not valid.", detail);

    public static ProblemHttpResult OperatorChangeRefused(string detail) =>
        Create(StatusCodes.Status409Conflict, "operator-change-refused", "The change would leave nobody to manage operators.", detail);

    public static ProblemHttpResult OperatorNotFound(Guid id) =>
        Create(StatusCodes.Status404NotFound, "operator-not-found", "The operator does not exist.", $"No operator {id}.");

    public static ProblemHttpResult ClientNotFound(Guid id) =>
        Create(StatusCodes.Status404NotFound, "client-not-found", "The client does not exist.", $"No client {id}.");

    public static ProblemHttpResult InvalidGrants(string detail) =>
        Create(StatusCodes.Status400BadRequest, "invalid-grants", "The grants are not valid.", detail);

    public static ProblemHttpResult InvalidClientRate(string detail) =>
        Create(StatusCodes.Status400BadRequest, "invalid-client-rate", "The rate limit is not valid.", detail);

    public static ProblemHttpResult InvalidWebhook(string detail) =>
        Create(StatusCodes.Status400BadRequest, "invalid-webhook", "The webhook endpoint is not valid.", detail);

    public static ProblemHttpResult WebhookNotFound(string id) =>
        Create(StatusCodes.Status404NotFound, "webhook-not-found", "The webhook endpoint or delivery does not exist.", $"No webhook endpoint or delivery '{id}' belongs to this client.");

    /// <summary>The same problem for operators, who see every client's endpoints.</summary>
    public static ProblemHttpResult WebhookNotFoundForOperator(string id) =>
        Create(StatusCodes.Status404NotFound, "webhook-not-found", "The webhook endpoint or delivery does not exist.", $"No webhook endpoint or delivery '{id}'.");

    public static ProblemHttpResult TooManyEndpoints(int limit) =>
        Create(StatusCodes.Status409Conflict, "too-many-endpoints", "The client has as many webhook endpoints as it may have.", $"A client may have at most {limit} webhook endpoints, disabled ones included; remove one to add another.", new() { ["limit"] = limit });

    public static ProblemHttpResult EndpointDisabledByOperator(Guid id) =>
        Create(StatusCodes.Status409Conflict, "endpoint-disabled-by-operator", "An operator disabled this webhook endpoint.", $"Webhook endpoint '{id}' was disabled by an operator; only an operator can enable it again. Nothing was changed.");

    public static ProblemHttpResult InvalidWebhookAction(string detail) =>
        Create(StatusCodes.Status400BadRequest, "invalid-webhook-action", "The action on the webhook endpoint is not valid.", detail);

    /// <summary>A submission that waited (<c>Prefer: wait</c>) and conflicted: 412 for a failed precondition, 409 otherwise; the type is the conflict kind.</summary>
    public static ProblemHttpResult WriteConflicted(string conflictType, string detail, Dictionary<string, object?> extensions) =>
        Create(
            conflictType is Writes.WriteErrors.VersionMismatch or Writes.WriteErrors.AlreadyExists ? StatusCodes.Status412PreconditionFailed : StatusCodes.Status409Conflict,
            conflictType,
            "The write conflicted; it waits for a decision.",
            detail,
            extensions);

    /// <summary>A submission that waited and could not be processed at all.</summary>
    public static ProblemHttpResult WriteFailed(string errorType, string detail, Dictionary<string, object?> extensions) =>
        Create(StatusCodes.Status422UnprocessableEntity, errorType, "The write could not be applied.", detail, extensions);

    public static string TypeOf(string kind) => TypeBase + kind;

    /// <summary>
    /// Every problem an endpoint or the framework writes passes here. Gives the problems the framework writes itself
    /// (routing's 415 and 405, an unmatched route's 404, an unhandled exception's 500, the rate limiter's 429) a type of
    /// this catalog too, so clients branch on one set of types; and counts every 429 and 503 by its type
    /// (<c>writepipeline.requests.refused</c>).
    /// </summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Type is null || !problem.Type.StartsWith(TypeBase, StringComparison.Ordinal))
        {
            Classify(problem);
        }

        if (problem.Status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
        {
            context.HttpContext.RequestServices?.GetService<Telemetry.PipelineMeter>()?.Refused(problem.Status.Value, problem.Type![TypeBase.Length..]);
        }
    }

    static void Classify(Microsoft.AspNetCore.Mvc.ProblemDetails problem)
    {
        (problem.Type, problem.Title) = problem.Status switch
        {
            StatusCodes.Status415UnsupportedMediaType => (TypeOf("unsupported-media-type"), "The content type is not supported here."),
            StatusCodes.Status405MethodNotAllowed => (TypeOf("method-not-allowed"), "The method is not allowed on this resource."),
            StatusCodes.Status404NotFound => (TypeOf("not-found"), "There is nothing at this address."),
            StatusCodes.Status400BadRequest => (TypeOf("bad-request"), "The request is not valid."),
            StatusCodes.Status429TooManyRequests => (TypeOf("too-many-requests"), "Too many requests; wait before trying again."),
            // Never call a refusal of the request a server error: clients would retry what cannot succeed.
            >= 400 and < 500 => (TypeOf("request-refused"), "The request was refused."),
            _ => (TypeOf("internal-error"), "The server failed to process the request."),
        };
        if (problem.Status == StatusCodes.Status415UnsupportedMediaType)
        {
            problem.Detail ??= "Send a PUT body as application/json and a PATCH body as application/merge-patch+json.";
        }
    }

    static ProblemHttpResult Create(int status, string kind, string title, string detail, Dictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypeOf(kind), extensions: extensions);
}
