namespace WritePipeline.Contracts;

/// <summary>
/// Command to apply one accepted write to a record. Sent by the API to the partition that owns the
/// record's key, after the write's status row exists; consumed in order per key by a worker.
/// The write's id is also the message id, so a redelivery is recognised by it.
/// </summary>
public sealed record ApplyWrite
{
    public required Guid WriteId { get; init; }

    /// <summary>The client that submitted the write; statuses and idempotency keys are scoped to it.</summary>
    public required Guid ClientId { get; init; }

    public required string Collection { get; init; }

    public required string Key { get; init; }

    /// <summary><c>replace</c>, <c>patch</c> or <c>delete</c> (see <see cref="WriteOperations"/>).</summary>
    public required string Operation { get; init; }

    /// <summary>The document for a replace, the RFC 7396 merge patch for a patch, null for a delete.</summary>
    public string? Body { get; init; }

    /// <summary>The version named by <c>If-Match</c>, checked when the write is applied.</summary>
    public long? IfMatchVersion { get; init; }

    /// <summary>True when the write asked <c>If-None-Match: *</c> (create only).</summary>
    public bool IfNoneMatchAny { get; init; }

    public required DateTimeOffset SubmittedAt { get; init; }

    /// <summary>
    /// The client's Idempotency-Key, when it sent one. The worker records at most one write per client and key: a
    /// later id for the same key and request ends <c>duplicate</c> of it, one for another request <c>failed</c>.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The fingerprint of the request <see cref="IdempotencyKey"/> came with.</summary>
    public string? RequestHash { get; init; }
}
