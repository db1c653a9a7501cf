using System.Reflection;
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

    /// <summary>
    /// Every kind of problem, once: each <c>public static readonly ProblemKind</c> field of a static class of Core, by
    /// status, then name. The API host describes them (<c>ProblemResponses</c>).
    /// </summary>
    public static IReadOnlyList<ProblemKind> AllKinds { get; } =
        [.. typeof(ProblemCatalog).Assembly.GetExportedTypes()
            .Where(type => type is { IsAbstract: true, IsSealed: true })
            .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(field => field.IsInitOnly && field.FieldType == typeof(ProblemKind))
            .Select(field => (ProblemKind)field.GetValue(null)!)
            .OrderBy(kind => kind.Status)
            .ThenBy(kind => kind.Name, StringComparer.Ordinal)];

    public static ProblemHttpResult MalformedJson(string detail) =>
        Create(Kinds.MalformedJson, detail);

    public static ProblemHttpResult InvalidDocument(string detail) =>
        Create(Kinds.InvalidDocument, detail);

    /// <summary>A document that breaks its collection's schema; <c>errors</c> lists every failing instance path (a JSON Pointer) with its message.</summary>
    public static ProblemHttpResult SchemaViolation(IReadOnlyList<SchemaViolation> violations) =>
        Create(
            Kinds.SchemaViolation,
            $"{violations.Count} {(violations.Count == 1 ? "place breaks" : "places break")} the schema; 'errors' lists them.",
            new() { ["errors"] = violations.Select(v => new { path = v.Path, message = v.Message }).ToList() });

    public static ProblemHttpResult InvalidName(string detail) =>
        Create(Kinds.InvalidName, detail);

    public static ProblemHttpResult InvalidHeader(string detail) =>
        Create(Kinds.InvalidHeader, detail);

    public static ProblemHttpResult InvalidQuery(string detail) =>
        Create(Kinds.InvalidQuery, detail);

    public static ProblemHttpResult Unauthorized(string detail) =>
        Create(Kinds.Unauthorized, detail);

    public static ProblemHttpResult Forbidden(string detail) =>
        Create(Kinds.Forbidden, detail);

    public static ProblemHttpResult UnknownCollection(string collection) =>
        Create(Kinds.UnknownCollection, $"No collection named '{collection}' is declared.");

    public static ProblemHttpResult RecordNotFound(string collection, string key) =>
        Create(Kinds.RecordNotFound, $"'{collection}/{key}' does not exist or was deleted.");

    public static ProblemHttpResult WriteNotFound(Guid writeId) =>
        Create(Kinds.WriteNotFound, $"No write {writeId} was accepted for this client (or, for operators, at all).");

    /// <summary>A request the framework could not read (its status: 400, or 413, 415, 431...).</summary>
    public static ProblemHttpResult Unreadable(int status, string detail) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => Create(Kinds.PayloadTooLarge, detail),
        StatusCodes.Status415UnsupportedMediaType => Create(Kinds.UnsupportedMediaType, detail),
        _ => Create(status is >= 400 and < 500 ? status : StatusCodes.Status400BadRequest, Kinds.BadRequest.Name, Kinds.BadRequest.Title, detail),
    };

    public static ProblemHttpResult PayloadTooLarge(int limit) =>
        Create(Kinds.PayloadTooLarge, $"Bodies are limited to {limit} bytes.");

    public static ProblemHttpResult UnsupportedMediaType(string expected) =>
        Create(Kinds.UnsupportedMediaType, $"Send the body as {expected}.");

    public static ProblemHttpResult IdempotencyKeyMismatch(string key) =>
        Create(Kinds.IdempotencyKeyMismatch, $"Idempotency-Key '{key}' was first used with another request; use a new key for a new request.");

    public static ProblemHttpResult BrokerUnavailable(string detail) =>
        Create(Kinds.BrokerUnavailable, detail);

    public static ProblemHttpResult TooManyRequests(int retryAfterSeconds) =>
        Create(Kinds.TooManyRequests, $"Retry after {retryAfterSeconds} s (Retry-After). The RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset headers of every answer say where the client stands.");

    public static ProblemHttpResult BacklogFull(int partition) =>
        Create(Kinds.BacklogFull, $"Partition {partition} has more writes waiting than the limit. Writes to other records may still be accepted; retry this one later (with the same Idempotency-Key).");

    public static ProblemHttpResult DatabaseUnavailable(string detail) =>
        Create(Kinds.DatabaseUnavailable, detail);

    public static ProblemHttpResult InvalidResolution(string detail) =>
        Create(Kinds.InvalidResolution, detail);

    public static ProblemHttpResult ResolutionNotAllowed(string status, string detail) =>
        Create(Kinds.ResolutionNotAllowed, detail, new() { ["writeStatus"] = status });

    public static ProblemHttpResult DecisionUnavailable(string detail) =>
        Create(Kinds.DecisionUnavailable, detail);

    public static ProblemHttpResult InvalidBulkAction(string detail) =>
        Create(Kinds.InvalidBulkAction, detail);

    public static ProblemHttpResult BulkActionNotFound(Guid id) =>
        Create(Kinds.BulkActionNotFound, $"No bulk action '{id}'.");

    public static ProblemHttpResult InvalidOperator(string detail) =>
        Create(Kinds.InvalidOperator, detail);

    public static ProblemHttpResult OperatorChangeRefused(string detail) =>
        Create(Kinds.OperatorChangeRefused, detail);

    public static ProblemHttpResult OperatorNotFound(Guid id) =>
        Create(Kinds.OperatorNotFound, $"No operator {id}.");

    public static ProblemHttpResult ClientNotFound(Guid id) =>
        Create(Kinds.ClientNotFound, $"No client {id}.");

    public static ProblemHttpResult InvalidGrants(string detail) =>
        Create(Kinds.InvalidGrants, detail);

    public static ProblemHttpResult InvalidClientRate(string detail) =>
        Create(Kinds.InvalidClientRate, detail);

    public static ProblemHttpResult InvalidWebhook(string detail) =>
        Create(Kinds.InvalidWebhook, detail);

    public static ProblemHttpResult WebhookNotFound(string id) =>
        Create(Kinds.WebhookNotFound, $"No webhook endpoint or delivery '{id}' belongs to this client.");

    /// <summary>The same problem for operators, who see every client's endpoints.</summary>
    public static ProblemHttpResult WebhookNotFoundForOperator(string id) =>
        Create(Kinds.WebhookNotFound, $"No webhook endpoint or delivery '{id}'.");

    public static ProblemHttpResult TooManyEndpoints(int limit) =>
        Create(Kinds.TooManyEndpoints, $"A client may have at most {limit} webhook endpoints, disabled ones included; remove one to add another.", new() { ["limit"] = limit });

    public static ProblemHttpResult EndpointDisabledByOperator(Guid id) =>
        Create(Kinds.EndpointDisabledByOperator, $"Webhook endpoint '{id}' was disabled by an operator; only an operator can enable it again. Nothing was changed.");

    public static ProblemHttpResult InvalidWebhookAction(string detail) =>
        Create(Kinds.InvalidWebhookAction, detail);

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
        var kind = problem.Status switch
        {
            StatusCodes.Status415UnsupportedMediaType => Kinds.UnsupportedMediaType,
            StatusCodes.Status405MethodNotAllowed => Kinds.MethodNotAllowed,
            StatusCodes.Status404NotFound => Kinds.NotFound,
            StatusCodes.Status400BadRequest => Kinds.BadRequest,
            StatusCodes.Status429TooManyRequests => Kinds.TooManyRequests,
            // Never call a refusal of the request a server error: clients would retry what cannot succeed.
            >= 400 and < 500 => Kinds.RequestRefused,
            _ => Kinds.InternalError,
        };
        (problem.Type, problem.Title) = (TypeOf(kind.Name), kind.Title);
        if (problem.Status == StatusCodes.Status415UnsupportedMediaType)
        {
            problem.Detail ??= "Send a PUT body as application/json and a PATCH body as application/merge-patch+json.";
        }
    }

    static ProblemHttpResult Create(ProblemKind kind, string detail, Dictionary<string, object?>? extensions = null) =>
        kind.Result(detail, extensions);

    static ProblemHttpResult Create(int status, string kind, string title, string detail, Dictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypeOf(kind), extensions: extensions);

    /// <summary>Every kind of problem, once: its status, its name (the end of its type URI) and its title.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind MalformedJson = new(StatusCodes.Status400BadRequest, "malformed-json", "The body is not valid JSON.");

        public static readonly ProblemKind InvalidDocument = new(StatusCodes.Status400BadRequest, "invalid-document", "The document or patch has the wrong shape.");

        public static readonly ProblemKind InvalidName = new(StatusCodes.Status400BadRequest, "invalid-name", "The collection name or record key is not valid.");

        public static readonly ProblemKind InvalidHeader = new(StatusCodes.Status400BadRequest, "invalid-header", "A request header is not valid.");

        public static readonly ProblemKind InvalidQuery = new(StatusCodes.Status400BadRequest, "invalid-query", "A query parameter is not valid.");

        public static readonly ProblemKind Unauthorized = new(StatusCodes.Status401Unauthorized, "unauthorized", "A valid API key is required.");

        public static readonly ProblemKind Forbidden = new(StatusCodes.Status403Forbidden, "forbidden", "Not allowed.");

        public static readonly ProblemKind UnknownCollection = new(StatusCodes.Status404NotFound, "unknown-collection", "The collection is not declared.");

        public static readonly ProblemKind RecordNotFound = new(StatusCodes.Status404NotFound, "record-not-found", "The record does not exist.");

        public static readonly ProblemKind WriteNotFound = new(StatusCodes.Status404NotFound, "write-not-found", "The write does not exist.");

        public static readonly ProblemKind PayloadTooLarge = new(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "The body is too large.");

        public static readonly ProblemKind UnsupportedMediaType = new(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "The content type is not supported here.");

        public static readonly ProblemKind SchemaViolation = new(StatusCodes.Status422UnprocessableEntity, "schema-violation", "The document does not satisfy the collection's schema.");

        public static readonly ProblemKind EndpointDisabledByOperator = new(StatusCodes.Status409Conflict, "endpoint-disabled-by-operator", "An operator disabled this webhook endpoint.");

        public static readonly ProblemKind IdempotencyKeyMismatch = new(StatusCodes.Status422UnprocessableEntity, "idempotency-key-mismatch", "The Idempotency-Key was used with a different request.");

        public static readonly ProblemKind BrokerUnavailable = new(StatusCodes.Status503ServiceUnavailable, "broker-unavailable", "The write could not be queued; nothing was accepted.");

        public static readonly ProblemKind TooManyRequests = new(StatusCodes.Status429TooManyRequests, "too-many-requests", "This client sends requests faster than its limit; nothing was accepted.");

        public static readonly ProblemKind BacklogFull = new(StatusCodes.Status503ServiceUnavailable, "backlog-full", "Too many writes are waiting for this record's partition; nothing was accepted.");

        public static readonly ProblemKind DatabaseUnavailable = new(StatusCodes.Status503ServiceUnavailable, "database-unavailable", "The database could not be reached; nothing was accepted or changed.");

        public static readonly ProblemKind InvalidResolution = new(StatusCodes.Status400BadRequest, "invalid-resolution", "The decision is not valid.");

        public static readonly ProblemKind ResolutionNotAllowed = new(StatusCodes.Status409Conflict, "resolution-not-allowed", "The decision cannot be taken in the write's current state.");

        public static readonly ProblemKind DecisionUnavailable = new(StatusCodes.Status503ServiceUnavailable, "decision-unavailable", "No answer about the decision in time.");

        public static readonly ProblemKind InvalidBulkAction = new(StatusCodes.Status400BadRequest, "invalid-bulk-action", "The bulk action is not valid.");

        public static readonly ProblemKind BulkActionNotFound = new(StatusCodes.Status404NotFound, "bulk-action-not-found", "The bulk action does not exist.");

        public static readonly ProblemKind InvalidOperator = new(StatusCodes.Status400BadRequest, "invalid-operator", "The operator account is not valid.");

        public static readonly ProblemKind OperatorChangeRefused = new(StatusCodes.Status409Conflict, "operator-change-refused", "The change would leave nobody to manage operators.");

        public static readonly ProblemKind OperatorNotFound = new(StatusCodes.Status404NotFound, "operator-not-found", "The operator does not exist.");

        public static readonly ProblemKind ClientNotFound = new(StatusCodes.Status404NotFound, "client-not-found", "The client does not exist.");

        public static readonly ProblemKind InvalidGrants = new(StatusCodes.Status400BadRequest, "invalid-grants", "The grants are not valid.");

        public static readonly ProblemKind InvalidClientRate = new(StatusCodes.Status400BadRequest, "invalid-client-rate", "The rate limit is not valid.");

        public static readonly ProblemKind InvalidWebhook = new(StatusCodes.Status400BadRequest, "invalid-webhook", "The webhook endpoint is not valid.");

        public static readonly ProblemKind WebhookNotFound = new(StatusCodes.Status404NotFound, "webhook-not-found", "The webhook endpoint or delivery does not exist.");

        public static readonly ProblemKind TooManyEndpoints = new(StatusCodes.Status409Conflict, "too-many-endpoints", "The client has as many webhook endpoints as it may have.");

        public static readonly ProblemKind InvalidWebhookAction = new(StatusCodes.Status400BadRequest, "invalid-webhook-action", "The action on the webhook endpoint is not valid.");

        public static readonly ProblemKind MethodNotAllowed = new(StatusCodes.Status405MethodNotAllowed, "method-not-allowed", "The method is not allowed on this resource.");

        public static readonly ProblemKind NotFound = new(StatusCodes.Status404NotFound, "not-found", "There is nothing at this address.");

        public static readonly ProblemKind BadRequest = new(StatusCodes.Status400BadRequest, "bad-request", "The request is not valid.");

        /// <summary>Any other refusal of a request (a 4xx the framework answers that has no kind of its own).</summary>
        public static readonly ProblemKind RequestRefused = new(0, "request-refused", "The request was refused.");

        public static readonly ProblemKind InternalError = new(StatusCodes.Status500InternalServerError, "internal-error", "The server failed to process the request.");
    }
}
