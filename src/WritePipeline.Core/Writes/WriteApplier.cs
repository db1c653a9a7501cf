using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WritePipeline.Conflicts;
using WritePipeline.Contracts;
using WritePipeline.Data;
using WritePipeline.Records;

namespace WritePipeline.Writes;

/// <summary>What became of one delivery of a write.</summary>
public enum ApplyOutcome
{
    Applied,
    Conflicted,
    Failed,

    /// <summary>The write had already left <c>queued</c> (a redelivery, or the API rejected it): nothing was done.</summary>
    Skipped,
}

/// <summary>
/// Applies one write in one transaction: the record change, its version, the history row, the declared constraints
/// and the write's final status commit together or not at all. A conflict rolls all of that back and records the
/// conflict instead, in a transaction of its own. Use a fresh instance (scope) per attempt.
/// </summary>
public sealed class WriteApplier(WritePipelineDbContext db, ConstraintEnforcer constraints, TimeProvider clock, ILogger<WriteApplier> logger)
{
    public async Task<ApplyOutcome> ApplyAsync(ApplyWrite message, int partition, CancellationToken cancellationToken)
    {
        WriteDecision.Conflict? conflict;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var write = await LoadQueuedAsync(message, partition, cancellationToken);
            if (write is null)
            {
                return ApplyOutcome.Skipped;
            }

            var record = await LoadRecordAsync(message, cancellationToken);
            var now = clock.GetUtcNow();
            switch (WriteRules.Decide(message, record))
            {
                case WriteDecision.Apply apply:
                    var previousDocument = record?.Document;
                    record = Apply(message, write, record, apply.Document, now);

                    // Status (and Record.Version) are concurrency tokens: if another delivery of this write, or of
                    // another write to this key, committed since we read them, this throws and the attempt is retried.
                    await db.SaveChangesAsync(cancellationToken);
                    conflict = await constraints.EnforceAsync(record, previousDocument, cancellationToken);
                    if (conflict is null)
                    {
                        await transaction.CommitAsync(cancellationToken);
                        return ApplyOutcome.Applied;
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
                    return ApplyOutcome.Failed;

                default:
                    throw new InvalidOperationException("Unknown decision.");
            }
        }

        return await RecordConflictAsync(message, partition, conflict, cancellationToken);
    }

    /// <summary>
    /// Records the conflict against the record as it is now: nothing of the write's own attempt remains (it was
    /// rolled back), so what a person sees is exactly what the write would have overwritten.
    /// </summary>
    async Task<ApplyOutcome> RecordConflictAsync(ApplyWrite message, int partition, WriteDecision.Conflict conflict, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var write = await LoadQueuedAsync(message, partition, cancellationToken);
        if (write is null)
        {
            return ApplyOutcome.Skipped;
        }

        if (conflict.Type == WriteErrors.UniqueViolation)
        {
            conflict = await NameUniqueValueHolderAsync(message, conflict, cancellationToken);
        }

        var record = await LoadRecordAsync(message, cancellationToken);
        var now = clock.GetUtcNow();
        await db.WriteConflicts.Where(c => c.WriteId == message.WriteId).ExecuteDeleteAsync(cancellationToken);
        db.WriteConflicts.Add(ConflictSnapshots.Capture(message, record, conflict, now));
        write.MarkConflicted(conflict.Type, conflict.Detail, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Write conflicted: {ConflictType}: {ConflictDetail}", conflict.Type, conflict.Detail);
        return ApplyOutcome.Conflicted;
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

    async Task<Write?> LoadQueuedAsync(ApplyWrite message, int partition, CancellationToken cancellationToken)
    {
        var write = await db.Writes.SingleOrDefaultAsync(w => w.Id == message.WriteId, cancellationToken);
        if (write is null)
        {
            // The API records every write before sending it; a message without a row was sent by something else.
            // Record it now so it still gets a status.
            write = Write.FromMessage(message, partition);
            db.Writes.Add(write);
            return write;
        }

        if (write.Status != WriteStatus.Queued)
        {
            // Exactly once: this delivery is a redelivery of a write that already committed (the worker died
            // before the ack), or the API told its client it was rejected.
            logger.LogInformation("Write is already {Status}; this delivery is skipped", write.Status);
            return null;
        }

        return write;
    }

    Task<Record?> LoadRecordAsync(ApplyWrite message, CancellationToken cancellationToken) =>
        db.Records.SingleOrDefaultAsync(r => r.Collection == message.Collection && r.Key == message.Key, cancellationToken);

    Record Apply(ApplyWrite message, Write write, Record? record, string? document, DateTimeOffset now)
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
