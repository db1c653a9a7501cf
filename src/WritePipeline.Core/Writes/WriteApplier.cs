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

/// <summary>
/// Applies one write in one transaction: the record change, its version, the history row, the declared constraints
/// and the write's final status commit together or not at all. A conflict rolls all of that back and records the
/// conflict instead, in a transaction of its own. Use a fresh instance (scope) per attempt.
/// </summary>
public sealed partial class WriteApplier(
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
