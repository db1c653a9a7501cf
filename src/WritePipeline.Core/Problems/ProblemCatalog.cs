using System.Reflection;

namespace WritePipeline.Problems;

/// <summary>
/// The problems the API answers with, each with a stable <c>type</c> URI that clients can branch on, and the kinds that
/// belong to no feature. Each feature declares its own kinds and answers next to its rules (<c>Writes/WriteProblems.cs</c>,
/// ...); <see cref="AllKinds"/> finds them all. The API host writes them as RFC 9457 problems (<c>ProblemResults</c>).
/// docs/api.md lists them; keep the two together.
/// </summary>
public static class ProblemCatalog
{
    public const string TypeBase = "https://writepipeline.dev/problems/";

    /// <summary>
    /// Every kind of problem, once: each <c>public static readonly ProblemKind</c> field of a static class of Core (the
    /// <see cref="Kinds"/> here and each feature's), by status, then name. The API host describes them (<c>ProblemResponses</c>).
    /// </summary>
    public static IReadOnlyList<ProblemKind> AllKinds { get; } =
        [.. typeof(ProblemCatalog).Assembly.GetExportedTypes()
            .Where(type => type is { IsAbstract: true, IsSealed: true })
            .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(field => field.IsInitOnly && field.FieldType == typeof(ProblemKind))
            .Select(field => (ProblemKind)field.GetValue(null)!)
            .OrderBy(kind => kind.Status)
            .ThenBy(kind => kind.Name, StringComparer.Ordinal)];

    public static Problem MalformedJson(string detail) =>
        Kinds.MalformedJson.Problem(detail);

    public static Problem InvalidDocument(string detail) =>
        Kinds.InvalidDocument.Problem(detail);

    public static Problem InvalidName(string detail) =>
        Kinds.InvalidName.Problem(detail);

    public static Problem InvalidHeader(string detail) =>
        Kinds.InvalidHeader.Problem(detail);

    public static Problem InvalidQuery(string detail) =>
        Kinds.InvalidQuery.Problem(detail);

    public static Problem Unauthorized(string detail) =>
        Kinds.Unauthorized.Problem(detail);

    public static Problem Forbidden(string detail) =>
        Kinds.Forbidden.Problem(detail);

    /// <summary>A request the framework could not read (its status: 400, or 413, 415, 431...).</summary>
    public static Problem Unreadable(int status, string detail) => status switch
    {
        413 => Kinds.PayloadTooLarge.Problem(detail),
        415 => Kinds.UnsupportedMediaType.Problem(detail),
        _ => (Kinds.BadRequest with { Status = status is >= 400 and < 500 ? status : 400 }).Problem(detail),
    };

    public static Problem PayloadTooLarge(int limit) =>
        Kinds.PayloadTooLarge.Problem($"Bodies are limited to {limit} bytes.");

    public static Problem UnsupportedMediaType(string expected) =>
        Kinds.UnsupportedMediaType.Problem($"Send the body as {expected}.");

    public static Problem BrokerUnavailable(string detail) =>
        Kinds.BrokerUnavailable.Problem(detail);

    public static Problem DatabaseUnavailable(string detail) =>
        Kinds.DatabaseUnavailable.Problem(detail);

    public static string TypeOf(string kind) => TypeBase + kind;

    /// <summary>
    /// The kind of a problem the framework writes itself (routing's 415 and 405, an unmatched route's 404, an unhandled
    /// exception's 500, the rate limiter's 429), by its status, so that clients branch on one set of types.
    /// </summary>
    public static ProblemKind FrameworkKind(int? status) => status switch
    {
        415 => Kinds.UnsupportedMediaType,
        405 => Kinds.MethodNotAllowed,
        404 => Kinds.NotFound,
        400 => Kinds.BadRequest,
        429 => Kinds.TooManyRequests,
        // Never call a refusal of the request a server error: clients would retry what cannot succeed.
        >= 400 and < 500 => Kinds.RequestRefused,
        _ => Kinds.InternalError,
    };

    /// <summary>The detail of routing's 415, which says nothing itself.</summary>
    public const string FrameworkUnsupportedMediaTypeDetail = "Send a PUT body as application/json and a PATCH body as application/merge-patch+json.";

    /// <summary>Whether a problem of this status is counted as a refusal (<c>writepipeline.requests.refused</c>): the 429s and 503s.</summary>
    public static bool IsRefusal(int? status) => status is 429 or 503;

    /// <summary>The kinds that belong to no feature: the request's shape, authentication, the framework's own answers, outages.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind MalformedJson = new(400, "malformed-json", "The body is not valid JSON.");

        public static readonly ProblemKind InvalidDocument = new(400, "invalid-document", "The document or patch has the wrong shape.");

        public static readonly ProblemKind InvalidName = new(400, "invalid-name", "The collection name or record key is not valid.");

        public static readonly ProblemKind InvalidHeader = new(400, "invalid-header", "A request header is not valid.");

        public static readonly ProblemKind InvalidQuery = new(400, "invalid-query", "A query parameter is not valid.");

        public static readonly ProblemKind Unauthorized = new(401, "unauthorized", "A valid API key is required.");

        public static readonly ProblemKind Forbidden = new(403, "forbidden", "Not allowed.");

        public static readonly ProblemKind PayloadTooLarge = new(413, "payload-too-large", "The body is too large.");

        public static readonly ProblemKind UnsupportedMediaType = new(415, "unsupported-media-type", "The content type is not supported here.");

        /// <summary>The rate limiter's refusal: a client's own rate (<c>ClientProblems.TooManyRequests</c>), or any other limit.</summary>
        public static readonly ProblemKind TooManyRequests = new(429, "too-many-requests", "This client sends requests faster than its limit; nothing was accepted.");

        public static readonly ProblemKind BrokerUnavailable = new(503, "broker-unavailable", "The write could not be queued; nothing was accepted.");

        public static readonly ProblemKind DatabaseUnavailable = new(503, "database-unavailable", "The database could not be reached; nothing was accepted or changed.");

        public static readonly ProblemKind MethodNotAllowed = new(405, "method-not-allowed", "The method is not allowed on this resource.");

        public static readonly ProblemKind NotFound = new(404, "not-found", "There is nothing at this address.");

        public static readonly ProblemKind BadRequest = new(400, "bad-request", "The request is not valid.");

        /// <summary>Any other refusal of a request (a 4xx the framework answers that has no kind of its own).</summary>
        public static readonly ProblemKind RequestRefused = new(0, "request-refused", "The request was refused.");

        public static readonly ProblemKind InternalError = new(500, "internal-error", "The server failed to process the request.");
    }
}
