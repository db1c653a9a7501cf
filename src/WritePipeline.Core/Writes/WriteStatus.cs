namespace WritePipeline.Writes;

/// <summary>The statuses a write moves through, as they are spelled on the wire.</summary>
public static class WriteStatus
{
    /// <summary>Accepted (202 given) and on the broker, not applied yet.</summary>
    public const string Queued = "queued";

    public const string Applied = "applied";

    /// <summary>Not applied: a precondition or constraint did not hold (<see cref="Write.ErrorType"/> says which).</summary>
    public const string Conflicted = "conflicted";

    /// <summary>Could not be processed at all (unreadable message, unknown operation).</summary>
    public const string Failed = "failed";

    /// <summary>
    /// The broker did not confirm the write, so the client got 503 and no receipt. Never shown to clients; a
    /// worker that still receives the message skips it, and a retry with the same Idempotency-Key sends it again.
    /// </summary>
    public const string Rejected = "rejected";

    public static bool IsFinal(string status) => status is Applied or Conflicted or Failed;
}
