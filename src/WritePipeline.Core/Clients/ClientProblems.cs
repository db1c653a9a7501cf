using WritePipeline.Problems;

namespace WritePipeline.Clients;

/// <summary>The problems client administration and a client's rate limit are answered with.</summary>
public static class ClientProblems
{
    public static Problem ClientNotFound(Guid id) =>
        Kinds.ClientNotFound.Problem($"No client {id}.");

    public static Problem InvalidGrants(string detail) =>
        Kinds.InvalidGrants.Problem(detail);

    public static Problem InvalidClientRate(string detail) =>
        Kinds.InvalidClientRate.Problem(detail);

    /// <summary>A client over its own rate; the kind is the rate limiter's, shared with every other limit.</summary>
    public static Problem TooManyRequests(int retryAfterSeconds) =>
        ProblemCatalog.Kinds.TooManyRequests.Problem($"Retry after {retryAfterSeconds} s (Retry-After). The RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset headers of every answer say where the client stands.");

    /// <summary>The kinds of <see cref="ClientProblems"/>.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind ClientNotFound = new(404, "client-not-found", "The client does not exist.");

        public static readonly ProblemKind InvalidGrants = new(400, "invalid-grants", "The grants are not valid.");

        public static readonly ProblemKind InvalidClientRate = new(400, "invalid-client-rate", "The rate limit is not valid.");
    }
}
