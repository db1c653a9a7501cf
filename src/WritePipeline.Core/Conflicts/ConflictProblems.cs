using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using WritePipeline.Problems;

namespace WritePipeline.Conflicts;

/// <summary>The problems a decision about a conflicted write is answered with.</summary>
public static class ConflictProblems
{
    public static ProblemHttpResult InvalidResolution(string detail) =>
        Kinds.InvalidResolution.Result(detail);

    public static ProblemHttpResult ResolutionNotAllowed(string status, string detail) =>
        Kinds.ResolutionNotAllowed.Result(detail, new() { ["writeStatus"] = status });

    /// <summary>Not now, but soon: the write is still being carried through a decision; the caller sets Retry-After.</summary>
    public static ProblemHttpResult DecisionUnderway(string status, string detail, TimeSpan retryAfter) =>
        Kinds.DecisionUnderway.Result(detail, new() { ["writeStatus"] = status, ["retryAfterSeconds"] = Seconds(retryAfter) });

    /// <summary>Whole seconds, rounded up, as Retry-After counts them.</summary>
    public static int Seconds(TimeSpan retryAfter) => (int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));

    public static ProblemHttpResult DecisionUnavailable(string detail) =>
        Kinds.DecisionUnavailable.Result(detail);

    /// <summary>The kinds of <see cref="ConflictProblems"/>.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind InvalidResolution = new(StatusCodes.Status400BadRequest, "invalid-resolution", "The decision is not valid.");

        public static readonly ProblemKind DecisionUnderway = new(StatusCodes.Status409Conflict, "decision-underway", "A decision about the write is still being carried out; try again after Retry-After.");

        public static readonly ProblemKind ResolutionNotAllowed = new(StatusCodes.Status409Conflict, "resolution-not-allowed", "The decision cannot be taken in the write's current state.");

        public static readonly ProblemKind DecisionUnavailable = new(StatusCodes.Status503ServiceUnavailable, "decision-unavailable", "No answer about the decision in time.");
    }
}
