using WritePipeline.Problems;

namespace WritePipeline.Writes;

/// <summary>The problems a submission or a write's status is answered with.</summary>
public static class WriteProblems
{
    public static Problem WriteNotFound(Guid writeId) =>
        Kinds.WriteNotFound.Problem($"No write {writeId} was accepted for this client (or, for operators, at all).");

    public static Problem IdempotencyKeyMismatch(string key) =>
        Kinds.IdempotencyKeyMismatch.Problem($"Idempotency-Key '{key}' was first used with another request; use a new key for a new request.");

    public static Problem IdempotencyKeyRequired() =>
        Kinds.IdempotencyKeyRequired.Problem("This installation takes writes only with an Idempotency-Key: send one (a new one for each new write, the same one for a retry), so that a retry after a 503 converges on exactly one write.");

    public static Problem BacklogFull(int partition) =>
        Kinds.BacklogFull.Problem($"Partition {partition} has more writes waiting than the limit; this one was not sent. Writes to other records may still be accepted; retry this one later (with the same Idempotency-Key).");

    /// <summary>A submission that waited (<c>Prefer: wait</c>) and conflicted: 412 for a failed precondition, 409 otherwise; the type is the conflict kind.</summary>
    public static Problem WriteConflicted(string conflictType, string detail, Dictionary<string, object?> extensions) =>
        new ProblemKind(
            conflictType is WriteErrors.VersionMismatch or WriteErrors.AlreadyExists ? 412 : 409,
            conflictType,
            "The write conflicted; it waits for a decision.").Problem(detail, extensions);

    /// <summary>A submission that waited and could not be processed at all.</summary>
    public static Problem WriteFailed(string errorType, string detail, Dictionary<string, object?> extensions) =>
        new ProblemKind(422, errorType, "The write could not be applied.").Problem(detail, extensions);

    /// <summary>The kinds of <see cref="WriteProblems"/>; a waited-for conflict or failure is typed by its own kind instead.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind WriteNotFound = new(404, "write-not-found", "The write does not exist.");

        public static readonly ProblemKind IdempotencyKeyMismatch = new(422, "idempotency-key-mismatch", "The Idempotency-Key was used with a different request.");

        public static readonly ProblemKind IdempotencyKeyRequired = new(428, "idempotency-key-required", "A write must carry an Idempotency-Key here.");

        public static readonly ProblemKind BacklogFull = new(503, "backlog-full", "Too many writes are waiting for this record's partition; nothing was accepted.");
    }
}
