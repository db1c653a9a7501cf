namespace WritePipeline.Contracts;

/// <summary>
/// Event: a write was not applied because of a conflict, which is recorded with it. Sent by the worker after the
/// conflict committed (again if the worker restarted before it could); it starts or wakes the write's conflict saga.
/// </summary>
public sealed record WriteConflicted
{
    public required Guid WriteId { get; init; }

    public required Guid ClientId { get; init; }

    public required string Collection { get; init; }

    public required string Key { get; init; }

    /// <summary>The write's operation (<see cref="WriteOperations"/>): what can be decided depends on it.</summary>
    public required string Operation { get; init; }

    /// <summary>The conflict kind, e.g. <c>version_mismatch</c>.</summary>
    public required string ConflictType { get; init; }

    /// <summary>
    /// This conflict's identity (a decision that conflicts again makes a new one): a resent event carries the same and
    /// is recognised by it. Empty only in events sent before it existed.
    /// </summary>
    public Guid ConflictId { get; init; }

    /// <summary>When this conflict was detected.</summary>
    public required DateTimeOffset DetectedAt { get; init; }
}
