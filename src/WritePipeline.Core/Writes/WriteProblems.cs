using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using WritePipeline.Problems;

namespace WritePipeline.Writes;

/// <summary>The problems a submission or a write's status is answered with.</summary>
public static class WriteProblems
{
    public static ProblemHttpResult WriteNotFound(Guid writeId) =>
        Kinds.WriteNotFound.Result($"No write {writeId} was accepted for this client (or, for operators, at all).");

    public static ProblemHttpResult IdempotencyKeyMismatch(string key) =>
        Kinds.IdempotencyKeyMismatch.Result($"Idempotency-Key '{key}' was first used with another request; use a new key for a new request.");

    public static ProblemHttpResult BacklogFull(int partition) =>
        Kinds.BacklogFull.Result($"Partition {partition} has more writes waiting than the limit. Writes to other records may still be accepted; retry this one later (with the same Idempotency-Key).");

    /// <summary>A submission that waited (<c>Prefer: wait</c>) and conflicted: 412 for a failed precondition, 409 otherwise; the type is the conflict kind.</summary>
    public static ProblemHttpResult WriteConflicted(string conflictType, string detail, Dictionary<string, object?> extensions) =>
        new ProblemKind(
            conflictType is WriteErrors.VersionMismatch or WriteErrors.AlreadyExists ? StatusCodes.Status412PreconditionFailed : StatusCodes.Status409Conflict,
            conflictType,
            "The write conflicted; it waits for a decision.").Result(detail, extensions);

    /// <summary>A submission that waited and could not be processed at all.</summary>
    public static ProblemHttpResult WriteFailed(string errorType, string detail, Dictionary<string, object?> extensions) =>
        new ProblemKind(StatusCodes.Status422UnprocessableEntity, errorType, "The write could not be applied.").Result(detail, extensions);

    /// <summary>The kinds of <see cref="WriteProblems"/>; a waited-for conflict or failure is typed by its own kind instead.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind WriteNotFound = new(StatusCodes.Status404NotFound, "write-not-found", "The write does not exist.");

        public static readonly ProblemKind IdempotencyKeyMismatch = new(StatusCodes.Status422UnprocessableEntity, "idempotency-key-mismatch", "The Idempotency-Key was used with a different request.");

        public static readonly ProblemKind BacklogFull = new(StatusCodes.Status503ServiceUnavailable, "backlog-full", "Too many writes are waiting for this record's partition; nothing was accepted.");
    }
}
