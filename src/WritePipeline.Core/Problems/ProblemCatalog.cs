using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace WritePipeline.Problems;

/// <summary>
/// How the API answers with RFC 9457 problems, each with a stable <c>type</c> URI that clients can branch on, and the
/// kinds that belong to no feature. Each feature declares its own kinds and answers next to its rules
/// (<c>Writes/WriteProblems.cs</c>, ...); <see cref="AllKinds"/> finds them all. docs/api.md lists them; keep the two together.
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

    public static ProblemHttpResult MalformedJson(string detail) =>
        Kinds.MalformedJson.Result(detail);

    public static ProblemHttpResult InvalidDocument(string detail) =>
        Kinds.InvalidDocument.Result(detail);

    public static ProblemHttpResult InvalidName(string detail) =>
        Kinds.InvalidName.Result(detail);

    public static ProblemHttpResult InvalidHeader(string detail) =>
        Kinds.InvalidHeader.Result(detail);

    public static ProblemHttpResult InvalidQuery(string detail) =>
        Kinds.InvalidQuery.Result(detail);

    public static ProblemHttpResult Unauthorized(string detail) =>
        Kinds.Unauthorized.Result(detail);

    public static ProblemHttpResult Forbidden(string detail) =>
        Kinds.Forbidden.Result(detail);

    /// <summary>A request the framework could not read (its status: 400, or 413, 415, 431...).</summary>
    public static ProblemHttpResult Unreadable(int status, string detail) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => Kinds.PayloadTooLarge.Result(detail),
        StatusCodes.Status415UnsupportedMediaType => Kinds.UnsupportedMediaType.Result(detail),
        _ => (Kinds.BadRequest with { Status = status is >= 400 and < 500 ? status : StatusCodes.Status400BadRequest }).Result(detail),
    };

    public static ProblemHttpResult PayloadTooLarge(int limit) =>
        Kinds.PayloadTooLarge.Result($"Bodies are limited to {limit} bytes.");

    public static ProblemHttpResult UnsupportedMediaType(string expected) =>
        Kinds.UnsupportedMediaType.Result($"Send the body as {expected}.");

    public static ProblemHttpResult BrokerUnavailable(string detail) =>
        Kinds.BrokerUnavailable.Result(detail);

    public static ProblemHttpResult DatabaseUnavailable(string detail) =>
        Kinds.DatabaseUnavailable.Result(detail);

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

    /// <summary>The kinds that belong to no feature: the request's shape, authentication, the framework's own answers, outages.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind MalformedJson = new(StatusCodes.Status400BadRequest, "malformed-json", "The body is not valid JSON.");

        public static readonly ProblemKind InvalidDocument = new(StatusCodes.Status400BadRequest, "invalid-document", "The document or patch has the wrong shape.");

        public static readonly ProblemKind InvalidName = new(StatusCodes.Status400BadRequest, "invalid-name", "The collection name or record key is not valid.");

        public static readonly ProblemKind InvalidHeader = new(StatusCodes.Status400BadRequest, "invalid-header", "A request header is not valid.");

        public static readonly ProblemKind InvalidQuery = new(StatusCodes.Status400BadRequest, "invalid-query", "A query parameter is not valid.");

        public static readonly ProblemKind Unauthorized = new(StatusCodes.Status401Unauthorized, "unauthorized", "A valid API key is required.");

        public static readonly ProblemKind Forbidden = new(StatusCodes.Status403Forbidden, "forbidden", "Not allowed.");

        public static readonly ProblemKind PayloadTooLarge = new(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "The body is too large.");

        public static readonly ProblemKind UnsupportedMediaType = new(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "The content type is not supported here.");

        /// <summary>The rate limiter's refusal: a client's own rate (<c>ClientProblems.TooManyRequests</c>), or any other limit.</summary>
        public static readonly ProblemKind TooManyRequests = new(StatusCodes.Status429TooManyRequests, "too-many-requests", "This client sends requests faster than its limit; nothing was accepted.");

        public static readonly ProblemKind BrokerUnavailable = new(StatusCodes.Status503ServiceUnavailable, "broker-unavailable", "The write could not be queued; nothing was accepted.");

        public static readonly ProblemKind DatabaseUnavailable = new(StatusCodes.Status503ServiceUnavailable, "database-unavailable", "The database could not be reached; nothing was accepted or changed.");

        public static readonly ProblemKind MethodNotAllowed = new(StatusCodes.Status405MethodNotAllowed, "method-not-allowed", "The method is not allowed on this resource.");

        public static readonly ProblemKind NotFound = new(StatusCodes.Status404NotFound, "not-found", "There is nothing at this address.");

        public static readonly ProblemKind BadRequest = new(StatusCodes.Status400BadRequest, "bad-request", "The request is not valid.");

        /// <summary>Any other refusal of a request (a 4xx the framework answers that has no kind of its own).</summary>
        public static readonly ProblemKind RequestRefused = new(0, "request-refused", "The request was refused.");

        public static readonly ProblemKind InternalError = new(StatusCodes.Status500InternalServerError, "internal-error", "The server failed to process the request.");
    }
}
