using WritePipeline.Contracts;

namespace WritePipeline.Writes;

/// <summary>
/// One submitted write and what became of it. The worker records it when its message is first delivered, in the
/// transaction that applies, holds or conflicts it (the API writes nothing before its 202), and moves it on in the
/// same transaction as the record change, which is what makes a redelivered message recognisable (<see cref="Status"/>
/// is a concurrency token).
/// </summary>
public sealed class Write
{
    public Guid Id { get; set; }

    public Guid ClientId { get; set; }

    public required string Collection { get; set; }

    public required string Key { get; set; }

    public int Partition { get; set; }

    public required string Operation { get; set; }

    /// <summary>
    /// The document (replace) or merge patch (patch) as submitted, or as last resubmitted by a decision (the original
    /// stays in the audit log of an operator's resubmit); null for a delete.
    /// </summary>
    public string? Body { get; set; }

    public long? IfMatchVersion { get; set; }

    public bool IfNoneMatchAny { get; set; }

    public string Status { get; set; } = WriteStatus.Queued;

    public DateTimeOffset SubmittedAt { get; set; }

    /// <summary>When the write reached its final status.</summary>
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The record version the write produced, once applied.</summary>
    public long? Version { get; set; }

    /// <summary>Stable identifier of what went wrong (<see cref="WriteErrors"/>), when the write conflicted or failed.</summary>
    public string? ErrorType { get; set; }

    public string? ErrorDetail { get; set; }

    public string? IdempotencyKey { get; set; }

    /// <summary>Fingerprint of the request an idempotency key was first used with.</summary>
    public string? RequestHash { get; set; }

    /// <summary>While <c>duplicate</c>: the write that holds this one's Idempotency-Key, the one applied in its place.</summary>
    public Guid? DuplicateOf { get; set; }

    /// <summary>While <c>held</c>: the conflicted write this one waits behind.</summary>
    public Guid? HeldBehind { get; set; }

    /// <summary>While <c>held</c>: its place in the key's queue of held writes (they are released in this order).</summary>
    public long? HeldPosition { get; set; }

    /// <summary>While <c>waiting</c> for a record it references: when its grace ends and it conflicts if still missing.</summary>
    public DateTimeOffset? RetryUntil { get; set; }

    /// <summary>While <c>waiting</c>: when it is due to be tried again (the sweeper sends a retry to its partition then).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public ApplyWrite ToMessage() => new()
    {
        WriteId = Id,
        ClientId = ClientId,
        Collection = Collection,
        Key = Key,
        Operation = Operation,
        Body = Body,
        IfMatchVersion = IfMatchVersion,
        IfNoneMatchAny = IfNoneMatchAny,
        SubmittedAt = SubmittedAt,
        IdempotencyKey = IdempotencyKey,
        RequestHash = RequestHash,
    };

    public static Write FromMessage(ApplyWrite message, int partition) => new()
    {
        Id = message.WriteId,
        ClientId = message.ClientId,
        Collection = message.Collection,
        Key = message.Key,
        Partition = partition,
        Operation = message.Operation,
        Body = message.Body,
        IfMatchVersion = message.IfMatchVersion,
        IfNoneMatchAny = message.IfNoneMatchAny,
        SubmittedAt = message.SubmittedAt,
        IdempotencyKey = message.IdempotencyKey,
        RequestHash = message.RequestHash,
    };

    public void MarkApplied(long version, DateTimeOffset at)
    {
        Status = WriteStatus.Applied;
        Version = version;
        CompletedAt = at;
        ErrorType = null;
        ErrorDetail = null;
        HeldBehind = null;
        EndWaiting();
    }

    /// <summary>Waits for a record it references until <paramref name="until"/>; <paramref name="errorType"/> and <paramref name="detail"/> say which.</summary>
    public void MarkWaiting(string errorType, string detail, DateTimeOffset until, DateTimeOffset nextAttempt)
    {
        Status = WriteStatus.Waiting;
        HeldBehind = null;
        ErrorType = errorType;
        ErrorDetail = WriteErrors.Cut(detail);
        RetryUntil = until;
        NextAttemptAt = nextAttempt;
    }

    public void MarkHeld(Guid behind, long position)
    {
        Status = WriteStatus.Held;
        HeldBehind = behind;
        HeldPosition = position;
    }

    /// <summary>The same request under another id: <paramref name="of"/>, which holds the Idempotency-Key, stands for it.</summary>
    public void MarkDuplicate(Guid of, DateTimeOffset at)
    {
        Status = WriteStatus.Duplicate;
        DuplicateOf = of;
        CompletedAt = at;
    }

    /// <summary>
    /// Frees the write's Idempotency-Key: it was released to a newer write (<see cref="KeyClaim"/>), or this write is a
    /// duplicate or a reuse and never held it. Only ever in the transaction that records the write taking it over.
    /// </summary>
    public void GiveUpIdempotencyKey() => IdempotencyKey = null;

    /// <summary>Given up by a decision (its saga keeps who and why); the conflict that led there stays recorded.</summary>
    public void MarkDiscarded(DateTimeOffset at)
    {
        Status = WriteStatus.Discarded;
        CompletedAt = at;
        HeldBehind = null;
    }

    /// <summary>Back from the archive to wait for a decision again (<paramref name="status"/>: parked, or failed when it never conflicted).</summary>
    public void MarkRestored(string status)
    {
        Status = status;
        CompletedAt = null;
    }

    public void MarkConflicted(string errorType, string detail, DateTimeOffset at) => End(WriteStatus.Conflicted, errorType, detail, at);

    public void MarkFailed(string errorType, string detail, DateTimeOffset at) => End(WriteStatus.Failed, errorType, detail, at);

    void End(string status, string errorType, string detail, DateTimeOffset at)
    {
        Status = status;
        HeldBehind = null;
        ErrorType = errorType;
        ErrorDetail = WriteErrors.Cut(detail);
        CompletedAt = at;
        EndWaiting();
    }

    void EndWaiting()
    {
        RetryUntil = null;
        NextAttemptAt = null;
    }
}
