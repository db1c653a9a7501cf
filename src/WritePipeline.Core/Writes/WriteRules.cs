using System.Text.Json;
using System.Text.Json.Nodes;
using WritePipeline.Collections;
using WritePipeline.Contracts;
using WritePipeline.Json;
using WritePipeline.Records;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Writes;

/// <summary>
/// What a write's turn comes to, decided without I/O from what was loaded before it (<see cref="Decide"/>): skipped,
/// held behind its key, failed, applied, or a conflict. <see cref="WriteApplier"/> carries turns out in order, one
/// write or a whole batch alike; only a turn that <see cref="NeedsDatabase"/> is carried out by the database alone.
/// </summary>
public abstract record WriteTurn
{
    WriteTurn(Write write) => Write = write;

    /// <summary>The write's row: the one loaded, or a new one when the message had none (<see cref="RowFor"/>).</summary>
    public Write Write { get; }

    /// <summary>
    /// The write is not in the status this step expects: a redelivery of a step that already committed (the worker died
    /// before the ack), or a write an older API version told its client was rejected. Nothing is done but saying so.
    /// </summary>
    public sealed record Skip(Write Write) : WriteTurn(Write);

    /// <summary>The same request is recorded under another id, <see cref="Of"/>, which holds its Idempotency-Key: never applied.</summary>
    public sealed record Duplicate(Write Write, Write Of) : WriteTurn(Write);

    /// <summary>Its key waits behind a conflicted (or waiting) write: it waits too, in its place.</summary>
    public sealed record Hold(Write Write, KeyHold KeyHold) : WriteTurn(Write);

    /// <summary>The write itself cannot be processed (its body, its operation, the schema): it ends failed, the record as it was.</summary>
    public sealed record Fail(Write Write, WriteDecision.Failure Failure) : WriteTurn(Write);

    /// <summary>
    /// The record's next version holds <see cref="Document"/>. When <see cref="EnforcesConstraints"/>, the database
    /// must settle declared unique values and references (or count a deleted record's references) before it commits.
    /// </summary>
    public sealed record Apply(Write Write, string? Document, bool EnforcesConstraints) : WriteTurn(Write);

    /// <summary>Not applied: the database records the conflict, or the write waits for the record it references.</summary>
    public sealed record Conflict(Write Write, WriteDecision.Conflict Detected) : WriteTurn(Write);

    /// <summary>Whether only the database can carry this turn out (so the write is applied alone, in a batch of one).</summary>
    public bool NeedsDatabase => this is Conflict or Apply { EnforcesConstraints: true };

    /// <param name="message">The write's message.</param>
    /// <param name="write">Its row (<see cref="RowFor"/>).</param>
    /// <param name="expectedStatus">
    /// The status the step acts on: <c>queued</c> for a delivery, <c>held</c> when its key is released, <c>waiting</c>
    /// when it is tried again within its reference grace, <c>resolving</c> when a decision changed what to apply.
    /// </param>
    /// <param name="hold">Its key's hold, if any (only a delivery is held: the other steps are the key's own turn).</param>
    /// <param name="record">Its record as the writes before it left it (null when it never existed).</param>
    /// <param name="collections">The collections' rules: schemas and declared constraints.</param>
    /// <param name="claim">What its Idempotency-Key comes to, for a write recorded by this delivery that came with one.</param>
    public static WriteTurn Decide(ApplyWrite message, Write write, string expectedStatus, KeyHold? hold, Record? record, CollectionCatalog collections, KeyClaim? claim = null)
    {
        if (!IsInTurn(write, expectedStatus))
        {
            return new Skip(write);
        }

        switch (claim)
        {
            case KeyClaim.Repeats { Holder: var holder }:
                return new Duplicate(write, holder);
            case KeyClaim.Reuses:
                return new Fail(write, new WriteDecision.Failure(
                    WriteErrors.IdempotencyKeyReused,
                    $"Idempotency-Key '{message.IdempotencyKey}' was first used with another request; this one is not applied. Use a new key for a new request."));
        }

        if (expectedStatus == WriteStatus.Queued && hold is not null)
        {
            // Order survives a conflict: the write waits behind it, in its place, and is applied when it is resolved.
            return new Hold(write, hold);
        }

        // A merged document that breaks the schema is a Failure: the write ends failed and the record is left as it is.
        return WriteRules.Decide(message, record, collections.SchemaOf(message.Collection)) switch
        {
            WriteDecision.Apply apply => new Apply(
                write,
                apply.Document,
                !ConstraintEnforcer.HasNothingToEnforce(collections, message.Collection, record?.Document, apply.Document)),
            WriteDecision.Conflict conflict => new Conflict(write, conflict),
            WriteDecision.Failure failure => new Fail(write, failure),
            _ => throw new InvalidOperationException("Unknown decision."),
        };
    }

    /// <summary>Whether <paramref name="write"/> is in the status the step acts on; if not, the step is a redelivery and skips it.</summary>
    public static bool IsInTurn(Write write, string expectedStatus) => write.Status == expectedStatus;

    /// <summary>
    /// The write's row, and whether it is new: the API records nothing, so a write's first delivery records it. Any
    /// other step acts on a write that has a row.
    /// </summary>
    public static (Write Write, bool IsNew) RowFor(ApplyWrite message, Write? row, int partition, string expectedStatus) => row switch
    {
        not null => (row, false),
        null when expectedStatus == WriteStatus.Queued => (Write.FromMessage(message, partition), true),
        _ => throw new InvalidOperationException($"Write {message.WriteId} has no row; only new writes are recorded on delivery."),
    };
}

/// <summary>
/// What a newly recorded write's Idempotency-Key comes to, against the write that holds the same key for the same client
/// (at most one does: a unique index). Decided by the two submission times alone, so that every API and worker process
/// comes to the same answer whatever it knows: the holder gives its key up only once it is final and was submitted at
/// least <see cref="IdempotencyOptions.Retention"/> before the new write, and only in the transaction that records the
/// new write taking it.
/// </summary>
public abstract record KeyClaim
{
    KeyClaim()
    {
    }

    /// <summary>The write takes the key: nobody held it, or <see cref="Released"/> held it past its retention and gives it up.</summary>
    public sealed record Takes(Write? Released) : KeyClaim;

    /// <summary>The same request under another id: the write is a duplicate of <see cref="Holder"/>.</summary>
    public sealed record Repeats(Write Holder) : KeyClaim;

    /// <summary>Another request with the key <see cref="Holder"/> holds: the write is never applied.</summary>
    public sealed record Reuses(Write Holder) : KeyClaim;

    /// <summary>The claim of <paramref name="message"/> (null when it has no Idempotency-Key) against <paramref name="holder"/>, the key's holder if any.</summary>
    public static KeyClaim? Of(ApplyWrite message, Write? holder, TimeSpan retention)
    {
        if (message.IdempotencyKey is null)
        {
            return null;
        }

        if (holder is null || holder.Id == message.WriteId)
        {
            return new Takes(null);
        }

        if (IsReleased(holder.Status, holder.SubmittedAt, message.SubmittedAt, retention))
        {
            return new Takes(holder);
        }

        return holder.RequestHash == message.RequestHash ? new Repeats(holder) : new Reuses(holder);
    }

    /// <summary>Whether a holder in <paramref name="status"/>, submitted at <paramref name="heldSince"/>, gives its key up to a write submitted at <paramref name="submittedAt"/>.</summary>
    /// <remarks>A write an older version left <c>rejected</c> was never accepted: its key is free at once.</remarks>
    public static bool IsReleased(string status, DateTimeOffset heldSince, DateTimeOffset submittedAt, TimeSpan retention) =>
        status == WriteStatus.Rejected || (WriteStatus.IsFinal(status) && heldSince <= submittedAt - retention);
}

/// <summary>What applying a write to the current record means: the new document, a conflict, or a failure.</summary>
public abstract record WriteDecision
{
    WriteDecision()
    {
    }

    /// <summary>Apply: the record's next version holds <see cref="Document"/> (null deletes it).</summary>
    public sealed record Apply(string? Document) : WriteDecision;

    /// <summary>
    /// Not applied: the write is valid but its precondition, the record's state or a declared constraint says no.
    /// <see cref="Subject"/> says what the conflict is about when the kind alone does not (which field, which record).
    /// </summary>
    public sealed record Conflict(string Type, string Detail, JsonObject? Subject = null) : WriteDecision;

    /// <summary>Not applied: the write itself cannot be processed.</summary>
    public sealed record Failure(string Type, string Detail) : WriteDecision;
}

/// <summary>The pure rules of applying one write to the current state of its record.</summary>
public static class WriteRules
{
    /// <param name="write">The write.</param>
    /// <param name="current">Its record as it is now (null when it never existed).</param>
    /// <param name="schema">
    /// The collection's schema: what the write would store must satisfy it, whichever path applies the write (a merge
    /// patch is checked on the merged document; a replace again, since the schema in force may have changed since the
    /// API checked it). Null when the collection declares none.
    /// </param>
    public static WriteDecision Decide(ApplyWrite write, Record? current, CollectionSchema? schema = null)
    {
        if (!WriteOperations.IsKnown(write.Operation))
        {
            return new WriteDecision.Failure(WriteErrors.UnknownOperation, $"Unknown operation '{write.Operation}'.");
        }

        var exists = current is { Exists: true };
        if (write.IfNoneMatchAny && exists)
        {
            return new WriteDecision.Conflict(WriteErrors.AlreadyExists, $"If-None-Match: * but the record exists at version {current!.Version}.");
        }

        if (write.IfMatchVersion is { } expected && (!exists || current!.Version != expected))
        {
            var actual = exists ? $"is at version {current!.Version}" : "does not exist";
            return new WriteDecision.Conflict(WriteErrors.VersionMismatch, $"If-Match named version {expected} but the record {actual}.");
        }

        switch (write.Operation)
        {
            case WriteOperations.Replace:
                return ParseObject(write.Body) is { } document
                    ? Checked(document, schema)
                    : InvalidBody("The document must be a JSON object.");

            case WriteOperations.Patch:
                if (!exists)
                {
                    return NotFound(write);
                }

                if (ParseObject(write.Body) is not { } patch)
                {
                    return InvalidBody("The merge patch must be a JSON object.");
                }

                return Checked(MergePatch.Apply(JsonNode.Parse(current!.Document!), patch)!, schema);

            default: // delete
                return exists ? new WriteDecision.Apply(null) : NotFound(write);
        }
    }

    static WriteDecision.Conflict NotFound(ApplyWrite write) =>
        new WriteDecision.Conflict(WriteErrors.NotFound, $"Cannot {write.Operation} '{write.Collection}/{write.Key}': the record does not exist.");

    /// <summary>Apply <paramref name="document"/>, or fail the write with every place where it breaks the schema; the record stays as it is.</summary>
    static WriteDecision Checked(JsonNode document, CollectionSchema? schema) =>
        schema?.Validate(document) is { Count: > 0 } violations
            ? new WriteDecision.Failure(WriteErrors.SchemaViolation, CollectionSchema.Describe(violations))
            : new WriteDecision.Apply(document.ToReadableJson());

    static WriteDecision.Failure InvalidBody(string detail) => new WriteDecision.Failure(WriteErrors.InvalidBody, detail);

    static JsonObject? ParseObject(string? body)
    {
        if (body is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
