using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using WritePipeline.Problems;

namespace WritePipeline.Clients;

/// <summary>The problems client administration and a client's rate limit are answered with.</summary>
public static class ClientProblems
{
    public static ProblemHttpResult ClientNotFound(Guid id) =>
        Kinds.ClientNotFound.Result($"No client {id}.");

    public static ProblemHttpResult InvalidGrants(string detail) =>
        Kinds.InvalidGrants.Result(detail);

    public static ProblemHttpResult InvalidClientRate(string detail) =>
        Kinds.InvalidClientRate.Result(detail);

    /// <summary>A client over its own rate; the kind is the rate limiter's, shared with every other limit.</summary>
    public static ProblemHttpResult TooManyRequests(int retryAfterSeconds) =>
        ProblemCatalog.Kinds.TooManyRequests.Result($"Retry after {retryAfterSeconds} s (Retry-After). The RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset headers of every answer say where the client stands.");

    /// <summary>The kinds of <see cref="ClientProblems"/>.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind ClientNotFound = new(StatusCodes.Status404NotFound, "client-not-found", "The client does not exist.");

        public static readonly ProblemKind InvalidGrants = new(StatusCodes.Status400BadRequest, "invalid-grants", "The grants are not valid.");

        public static readonly ProblemKind InvalidClientRate = new(StatusCodes.Status400BadRequest, "invalid-client-rate", "The rate limit is not valid.");
    }
}
