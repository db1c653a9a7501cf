using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WritePipeline.Collections;
using WritePipeline.Contracts;
using WritePipeline.Data;
using WritePipeline.Partitioning;
using WritePipeline.Records;
using WritePipeline.Webhooks;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Writes;

/// <summary>What became of one delivery of a write.</summary>
public enum ApplyOutcome
{
    Applied,
    Conflicted,
    Failed,

    /// <summary>Its key waits behind an unresolved conflicted write: the write waits too, in order.</summary>
    Held,

    Discarded,

    /// <summary>A record it references does not exist yet: it waits within its grace, its key held behind it.</summary>
    Waiting,

    /// <summary>The write was no longer in the status this step expects (a redelivery, or the API rejected it): nothing was done.</summary>
    Skipped,
}

/// <summary>
/// The outcome, the write as it is now (null when unknown), its conflict when it has one, and the webhook deliveries
/// the step committed (their timers are set once it has).
/// </summary>
public sealed record ApplyResult(ApplyOutcome Outcome, Write? Write, WriteConflict? Conflict = null, IReadOnlyList<WebhookDelivery>? Deliveries = null);

/// <summary>
/// Applies one write in one transaction: the record change, its version, the history row, the declared constraints
/// and the write's final status commit together or not at all. A conflict rolls all of that back and records the
/// conflict instead, in a transaction of its own. Use a fresh instance (scope) per attempt.
/// </summary>
public sealed class WriteApplier(
    WritePipelineDbContext db,
    ConstraintEnforcer constraints,
    CollectionCatalog collections,
    IWriteWebhooks webhooks,
    TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<WorkerOptions> options,
    ILogger<WriteApplier> logger)
{
    /// <summary>Applies a newly delivered write (status <c>queued</c>), or holds it behind its key's conflicted write.</summary>
    public Task<ApplyResult> ApplyAsync(ApplyWrite message, int partition, CancellationToken cancellationToken) =>
        ApplyAsync(message, partition, WriteStatus.Queued, cancellationToken);

    /// <summary>
    /// Applies <paramref name="message"/> to a write that is in <paramref name="expectedStatus"/>: <c>queued</c> for a
    /// delivery, <c>held</c> when its key is released, <c>waiting</c> when it is tried again within its reference
    /// grace, <c>resolving</c> when a decision changed what to apply.
    /// </summary>
    public async Task<ApplyResult> ApplyAsync(ApplyWrite message, int partition, string expectedStatus, CancellationToken cancellationToken)
    {
        // No transaction is resumed after a failed save here: the savepoint EF Core would set per save is a wasted round trip.
        db.Database.AutoSavepointsEnabled = false;
        WriteDecision.Conflict? conflict;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var write = await LoadExpectedAsync(message, partition, expectedStatus, cancellationToken);
            if (write.Status != expectedStatus)
            {
                return await SkippedAsync(write, cancellationToken);
            }

            TakeDecidedBody(write, message, expectedStatus);
            // Holds are read on every collection: a write waiting for a reference holds its key even where conflicts do not.
            if (expectedStatus == WriteStatus.Queued
                && await db.KeyHolds.SingleOrDefaultAsync(h => h.Collection == message.Collection && h.Key == message.Key, cancellationToken) is { } hold)
            {
                // Order survives the conflict: this write waits behind it, in its place, and is applied when it is resolved.
                hold.LastPosition++;
                write.MarkHeld(hold.BlockingWriteId, hold.LastPosition);
                var heldDeliveries = await webhooks.RecordAsync(WebhookEvents.Held, write, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                logger.LogInformation("Write held behind conflicted write {BlockingWriteId} at place {HeldPosition}", hold.BlockingWriteId, hold.LastPosition);
                return new ApplyResult(ApplyOutcome.Held, write, Deliveries: heldDeliveries);
            }

            var record = await LoadRecordAsync(message, cancellationToken);
            var now = clock.GetUtcNow();
            switch (WriteRules.Decide(message, record, collections.SchemaOf(message.Collection)))
            {
                case WriteDecision.Apply apply:
                    var previousDocument = record?.Document;
                    record = ApplyTo(db, message, write, record, apply.Document, now);
                    var appliedDeliveries = await webhooks.RecordAsync(WebhookEvents.Applied, write, cancellationToken);

                    // Status (and Record.Version) are concurrency tokens: if another delivery of this write, or of
                    // another write to this key, committed since we read them, this throws and the attempt is retried.
                    await db.SaveChangesAsync(cancellationToken);
                    conflict = await constraints.EnforceAsync(record, previousDocument, cancellationToken);
                    if (conflict is null)
                    {
                        await transaction.CommitAsync(cancellationToken);
                        return new ApplyResult(ApplyOutcome.Applied, write, Deliveries: appliedDeliveries);
                    }

                    await transaction.RollbackAsync(cancellationToken);
                    break;

                case WriteDecision.Conflict ruled:
                    conflict = ruled;
                    break;

                case WriteDecision.Failure failure:
                    write.MarkFailed(failure.Type, failure.Detail, now);
                    await db.SaveChangesAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                    return new ApplyResult(ApplyOutcome.Failed, write);

                default:
                    throw new InvalidOperationException("Unknown decision.");
            }
        }

        if (conflict.Type == WriteErrors.MissingReference && expectedStatus is WriteStatus.Queued or WriteStatus.Held or WriteStatus.Waiting
            && await WaitForReferenceAsync(message, partition, expectedStatus, conflict, cancellationToken) is { } waiting)
        {
            return waiting;
        }

        return await RecordConflictAsync(message, partition, expectedStatus, conflict, cancellationToken);
    }

    /// <summary>
    /// Within its collection's reference grace, a write whose referenced record is missing waits instead of
    /// conflicting: it is marked <c>waiting</c> with when it is tried again and when its grace ends, and its key is held
    /// behind it, in one transaction (a later write of the key is held, in its place, until this one is applied or
    /// conflicts). Null once the grace is over, or when the collection has none: the write conflicts.
    /// </summary>
    async Task<ApplyResult?> WaitForReferenceAsync(ApplyWrite message, int partition, string expectedStatus, WriteDecision.Conflict conflict, CancellationToken cancellationToken)
    {
        var grace = collections.ReferenceGraceOf(message.Collection);
        if (grace <= TimeSpan.Zero)
        {
            return null;
        }

        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var write = await LoadExpectedAsync(message, partition, expectedStatus, cancellationToken);
        if (write.Status != expectedStatus)
        {
            return await SkippedAsync(write, cancellationToken);
        }

        var now = clock.GetUtcNow();
        var interval = options.Value.ReferenceRetryInterval;
        if (expectedStatus != WriteStatus.Waiting)
        {
            write.MarkWaiting(conflict.Type, conflict.Detail, now + grace, now + (interval < grace ? interval : grace));
            await HoldKeyBehindAsync(write, now, cancellationToken);
            logger.LogInformation("Write waits until {RetryUntil} for a record it references: {ConflictDetail}", write.RetryUntil, conflict.Detail);
        }
        else if (write.RetryUntil is { } until && now < until)
        {
            write.NextAttemptAt = now + interval < until ? now + interval : until;
        }
        else
        {
            return null;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ApplyResult(ApplyOutcome.Waiting, write);
    }

    /// <summary>Carries out a decision to give a <c>resolving</c> write up.</summary>
    public async Task<ApplyResult> DiscardAsync(Guid writeId, CancellationToken cancellationToken)
    {
        var write = await db.Writes.SingleOrDefaultAsync(w => w.Id == writeId, cancellationToken);
        if (write is null || write.Status != WriteStatus.Resolving)
        {
            return write is null ? new ApplyResult(ApplyOutcome.Skipped, null) : await SkippedAsync(write, cancellationToken);
        }

        write.MarkDiscarded(clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return new ApplyResult(ApplyOutcome.Discarded, write);
    }

    /// <summary>
    /// The next write held on a key whose blocking write is resolved (applied, discarded or failed; or conflicted after
    /// its reference grace in a collection that continues on conflict), in the order the writes were held; null when
    /// the key is still blocked or nothing waits (the hold is then lifted).
    /// </summary>
    public async Task<Write?> NextReleasedAsync(string collection, string key, CancellationToken cancellationToken)
    {
        var hold = await db.KeyHolds.SingleOrDefaultAsync(h => h.Collection == collection && h.Key == key, cancellationToken);
        if (hold is null)
        {
            return null;
        }

        var blocker = await db.Writes.AsNoTracking().SingleOrDefaultAsync(w => w.Id == hold.BlockingWriteId, cancellationToken);
        if (blocker is not null && !WriteStatus.IsFinal(blocker.Status)
            && (blocker.Status == WriteStatus.Waiting || collections.HoldsOnConflict(collection)))
        {
            return null;
        }

        var next = await db.Writes.AsNoTracking()
            .Where(w => w.Collection == collection && w.Key == key && w.Status == WriteStatus.Held)
            .OrderBy(w => w.HeldPosition)
            .FirstOrDefaultAsync(cancellationToken);
        if (next is null)
        {
            db.KeyHolds.Remove(hold);
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Key released: no write waits behind {BlockingWriteId} any more", hold.BlockingWriteId);
        }

        return next;
    }

    /// <summary>
    /// A decision's body becomes the write's, in the transaction that applies it or records its new conflict: a
    /// resubmitted document is what the write is from then on, so a later decision (overwrite, retry, ...) applies it,
    /// not the attempt it replaced. Other decisions carry the write's own body, which changes nothing.
    /// </summary>
    static void TakeDecidedBody(Write write, ApplyWrite message, string expectedStatus)
    {
        if (expectedStatus == WriteStatus.Resolving)
        {
            write.Body = message.Body;
        }
    }

    async Task<ApplyResult> SkippedAsync(Write write, CancellationToken cancellationToken)
    {
        // Exactly once: this delivery is a redelivery of a step that already committed (the worker died before the
        // ack), or the API told its client the write was rejected. A conflict is handed over again, in case the
        // worker died before it could hand it to the saga; the saga recognises a repeat. The caller logs the skip.
        var conflict = write.Status == WriteStatus.Conflicted
            ? await db.WriteConflicts.AsNoTracking().SingleOrDefaultAsync(c => c.WriteId == write.Id, cancellationToken)
            : null;
        return new ApplyResult(ApplyOutcome.Skipped, write, conflict);
    }

    /// <summary>
    /// Records the conflict against the record as it is now: nothing of the write's own attempt remains (it was
    /// rolled back), so what a person sees is exactly what the write would have overwritten.
    /// </summary>
    async Task<ApplyResult> RecordConflictAsync(ApplyWrite message, int partition, string expectedStatus, WriteDecision.Conflict conflict, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var write = await LoadExpectedAsync(message, partition, expectedStatus, cancellationToken);
        if (write.Status != expectedStatus)
        {
            return await SkippedAsync(write, cancellationToken);
        }

        TakeDecidedBody(write, message, expectedStatus);
        if (conflict.Type == WriteErrors.UniqueViolation)
        {
            conflict = await NameUniqueValueHolderAsync(message, conflict, cancellationToken);
        }

        var record = await LoadRecordAsync(message, cancellationToken);
        var now = clock.GetUtcNow();
        await db.WriteConflicts.Where(c => c.WriteId == message.WriteId).ExecuteDeleteAsync(cancellationToken);
        var snapshot = ConflictSnapshots.Capture(message, record, conflict, now);
        db.WriteConflicts.Add(snapshot);
        write.MarkConflicted(conflict.Type, conflict.Detail, now);
        if (collections.HoldsOnConflict(message.Collection))
        {
            await HoldKeyBehindAsync(write, now, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Write conflicted: {ConflictType}: {ConflictDetail}", conflict.Type, conflict.Detail);
        return new ApplyResult(ApplyOutcome.Conflicted, write, snapshot);
    }

    /// <summary>Makes <paramref name="write"/> the one its key waits for; writes already held now wait behind it.</summary>
    async Task HoldKeyBehindAsync(Write write, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var hold = await db.KeyHolds.SingleOrDefaultAsync(h => h.Collection == write.Collection && h.Key == write.Key, cancellationToken);
        if (hold is null)
        {
            db.KeyHolds.Add(new KeyHold { Collection = write.Collection, Key = write.Key, BlockingWriteId = write.Id, Since = now });
        }
        else if (hold.BlockingWriteId != write.Id
                 && (!collections.HoldsOnConflict(write.Collection) || await BlockerIsDoneAsync(hold.BlockingWriteId, cancellationToken)))
        {
            // A released write conflicted (or waits for a reference) in turn: the writes behind it keep their places,
            // behind it now. While the blocker still waits for a decision, the key stays its (a write restored from the
            // archive that conflicts again waits on its own: taking the hold over would let a discard of it release
            // writes early); in a collection that continues on conflict, no decision holds the key, only a wait does.
            hold.BlockingWriteId = write.Id;
            await db.Writes
                .Where(w => w.Collection == write.Collection && w.Key == write.Key && w.Status == WriteStatus.Held)
                .ExecuteUpdateAsync(set => set.SetProperty(w => w.HeldBehind, write.Id), cancellationToken);
        }
    }

    async Task<bool> BlockerIsDoneAsync(Guid blockerId, CancellationToken cancellationToken)
    {
        var status = await db.Writes.AsNoTracking().Where(w => w.Id == blockerId).Select(w => w.Status).SingleOrDefaultAsync(cancellationToken);
        return status is null || WriteStatus.IsFinal(status);
    }

    async Task<WriteDecision.Conflict> NameUniqueValueHolderAsync(ApplyWrite message, WriteDecision.Conflict conflict, CancellationToken cancellationToken)
    {
        foreach (var claimed in conflict.Subject?["claimed"]?.AsArray() ?? [])
        {
            var field = claimed!["field"]!.GetValue<string>();
            var value = claimed["value"]!.GetValue<string>();
            var holder = await db.UniqueValues.AsNoTracking()
                .Where(u => u.Collection == message.Collection && u.Field == field && u.Value == value && u.Key != message.Key)
                .Select(u => u.Key)
                .FirstOrDefaultAsync(cancellationToken);
            if (holder is not null)
            {
                return conflict with
                {
                    Detail = $"'{field}' = {value} is already held by '{message.Collection}/{holder}'.",
                    Subject = new JsonObject { ["field"] = field, ["value"] = value, ["heldBy"] = holder },
                };
            }
        }

        // The holder let go of the value meanwhile: the conflict stands as detected (a retry may now succeed).
        return conflict;
    }

    async Task<Write> LoadExpectedAsync(ApplyWrite message, int partition, string expectedStatus, CancellationToken cancellationToken)
    {
        var write = await db.Writes.SingleOrDefaultAsync(w => w.Id == message.WriteId, cancellationToken);
        if (write is null && expectedStatus == WriteStatus.Queued)
        {
            // The API records every write before sending it; a message without a row was sent by something else.
            // Record it now so it still gets a status.
            write = Write.FromMessage(message, partition);
            db.Writes.Add(write);
        }

        return write ?? throw new InvalidOperationException($"Write {message.WriteId} has no row; only new writes are recorded on delivery.");
    }

    Task<Record?> LoadRecordAsync(ApplyWrite message, CancellationToken cancellationToken) =>
        db.Records.SingleOrDefaultAsync(r => r.Collection == message.Collection && r.Key == message.Key, cancellationToken);

    /// <summary>Makes <paramref name="document"/> the record's next version: the record, its history row, the write's status.</summary>
    internal static Record ApplyTo(WritePipelineDbContext db, ApplyWrite message, Write write, Record? record, string? document, DateTimeOffset now)
    {
        if (record is null)
        {
            record = new Record { Collection = message.Collection, Key = message.Key };
            db.Records.Add(record);
        }

        record.Version++;
        record.Document = document;
        record.UpdatedAt = now;
        record.LastWriteId = message.WriteId;

        db.RecordVersions.Add(new RecordVersion
        {
            Collection = message.Collection,
            Key = message.Key,
            Version = record.Version,
            Document = document,
            Operation = message.Operation,
            WriteId = message.WriteId,
            AppliedAt = now,
        });

        write.MarkApplied(record.Version, now);
        return record;
    }
}
