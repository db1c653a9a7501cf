namespace WritePipeline.Writes;

/// <summary>Stable identifiers of why a write was not applied; they appear in statuses and, later, webhooks.</summary>
public static class WriteErrors
{
    /// <summary>If-Match named a version that is not the current one (or the record is gone).</summary>
    public const string VersionMismatch = "version_mismatch";

    /// <summary>If-None-Match: * but the record exists.</summary>
    public const string AlreadyExists = "already_exists";

    /// <summary>PATCH or DELETE of a record that does not exist.</summary>
    public const string NotFound = "not_found";

    /// <summary>A declared unique field holds a value another record of the collection already holds.</summary>
    public const string UniqueViolation = "unique_violation";

    /// <summary>A declared reference names a record that does not exist.</summary>
    public const string MissingReference = "missing_reference";

    /// <summary>A delete of a record that other records still reference.</summary>
    public const string StillReferenced = "still_referenced";

    /// <summary>The same Idempotency-Key arrived with a different request.</summary>
    public const string IdempotencyMismatch = "idempotency_mismatch";

    /// <summary>
    /// The write came with an Idempotency-Key that an earlier write of its client holds for another request (an API
    /// that could not tell at once accepted it); it is never applied.
    /// </summary>
    public const string IdempotencyKeyReused = "idempotency_key_reused";

    /// <summary>The message could not be read (body or headers).</summary>
    public const string UnreadableMessage = "unreadable_message";

    /// <summary>The message named an operation the worker does not know.</summary>
    public const string UnknownOperation = "unknown_operation";

    /// <summary>The document or patch in the message is not valid JSON of the right shape.</summary>
    public const string InvalidBody = "invalid_body";

    /// <summary>
    /// What the write would store breaks the collection's schema (a merge patch checked on the merged document); the
    /// detail lists every failing path with its message.
    /// </summary>
    public const string SchemaViolation = "schema_violation";

    /// <summary>The database refused what applying the write would store (e.g. a value longer than its column).</summary>
    public const string StorageRejected = "storage_rejected";

    /// <summary>
    /// Applying the write failed for a reason of no known kind (a bug, a row that is gone) every time it was tried
    /// (<c>Worker:MaxProcessingAttempts</c>); the detail is the failure's message. An operator may retry or discard it.
    /// </summary>
    public const string ProcessingError = "processing_error";

    /// <summary>
    /// The API recorded the write but never learnt that the broker had it (the process died before the confirm), so no
    /// 202 was given; the sweeper found the write's message missing from its partition and rejected it.
    /// </summary>
    public const string Unconfirmed = "unconfirmed";

    /// <summary>Longest error description stored (the columns' length); longer ones are cut, never refused.</summary>
    public const int MaxDetailLength = 2000;

    /// <summary><paramref name="detail"/> cut to <see cref="MaxDetailLength"/>, marked as cut.</summary>
    public static string Cut(string detail) =>
        detail.Length <= MaxDetailLength ? detail : string.Concat(detail.AsSpan(0, MaxDetailLength - 1), "…");
}
