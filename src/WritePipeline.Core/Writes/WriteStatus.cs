namespace WritePipeline.Writes;

/// <summary>The statuses a write moves through, as they are spelled on the wire.</summary>
public static class WriteStatus
{
    /// <summary>Accepted (202 given) and on the broker, not applied yet.</summary>
    public const string Queued = "queued";

    public const string Applied = "applied";

    /// <summary>Not applied: a precondition or constraint did not hold (<see cref="Write.ErrorType"/> says which); its saga takes over.</summary>
    public const string Conflicted = "conflicted";

    /// <summary>Conflicted, and the submitter was notified by webhook; the saga waits for their decision.</summary>
    public const string Notified = "notified";

    /// <summary>Conflicted, and waiting for an operator (or the submitter) to decide.</summary>
    public const string Parked = "parked";

    /// <summary>A decision was taken and the write is back on its partition to carry it out.</summary>
    public const string Resolving = "resolving";

    /// <summary>Waiting behind an unresolved conflicted write to the same record (<see cref="Write.HeldBehind"/>).</summary>
    public const string Held = "held";

    /// <summary>
    /// Not applied yet: a record it references does not exist, and it is tried again until
    /// <see cref="Write.RetryUntil"/> (its collection's reference grace); later writes of its key are held behind it.
    /// Then it is applied, or it conflicts with <c>missing_reference</c>.
    /// </summary>
    public const string Waiting = "waiting";

    /// <summary>Given up by a decision (with a reason); never applied.</summary>
    public const string Discarded = "discarded";

    /// <summary>Could not be processed at all (unreadable message, unknown operation).</summary>
    public const string Failed = "failed";

    /// <summary>
    /// Never applied: the same request (same Idempotency-Key, same body) reached the broker under another id first, and
    /// that write (<see cref="Write.DuplicateOf"/>) stands for this one.
    /// </summary>
    public const string Duplicate = "duplicate";

    /// <summary>
    /// Left by versions before the worker recorded writes: the API recorded a write, the broker did not confirm it, and
    /// the client got 503. No write gets it now; such rows are never shown to clients.
    /// </summary>
    public const string Rejected = "rejected";

    /// <summary>Nothing more will happen to the write by itself or by a decision.</summary>
    public static bool IsFinal(string status) => status is Applied or Discarded or Failed or Duplicate;
}
