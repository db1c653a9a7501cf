using WritePipeline.Problems;

namespace WritePipeline.Conflicts;

/// <summary>The problems a decision about a conflicted write is answered with.</summary>
public static class ConflictProblems
{
    public static Problem InvalidResolution(string detail) =>
        Kinds.InvalidResolution.Problem(detail);

    public static Problem ResolutionNotAllowed(string status, string detail) =>
        Kinds.ResolutionNotAllowed.Problem(detail, new() { ["writeStatus"] = status });

    /// <summary>Not now, but soon: the write is still being carried through a decision; the caller sets Retry-After.</summary>
    public static Problem DecisionUnderway(string status, string detail, TimeSpan retryAfter) =>
        Kinds.DecisionUnderway.Problem(detail, new() { ["writeStatus"] = status, ["retryAfterSeconds"] = Seconds(retryAfter) });

    /// <summary>Whole seconds, rounded up, as Retry-After counts them.</summary>
    public static int Seconds(TimeSpan retryAfter) => (int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));

    public static Problem DecisionUnavailable(string detail) =>
        Kinds.DecisionUnavailable.Problem(detail);

    /// <summary>The kinds of <see cref="ConflictProblems"/>.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind InvalidResolution = new(400, "invalid-resolution", "The decision is not valid.");

        public static readonly ProblemKind DecisionUnderway = new(409, "decision-underway", "A decision about the write is still being carried out; try again after Retry-After.");

        public static readonly ProblemKind ResolutionNotAllowed = new(409, "resolution-not-allowed", "The decision cannot be taken in the write's current state.");

        public static readonly ProblemKind DecisionUnavailable = new(503, "decision-unavailable", "No answer about the decision in time.");
    }
}
