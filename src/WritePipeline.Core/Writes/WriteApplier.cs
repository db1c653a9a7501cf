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
/// Applies writes of one partition, in their order, in one transaction: the state they are decided on is read up
/// front with one query per kind (their rows, their records, their keys' holds), each write's turn is decided in
/// memory (<see cref="WriteTurn.Decide"/>) against the record as the writes before it left it, and every record
/// change, version, history row, webhook delivery and status commits together or not at all. One write is a batch of
/// one: the same code, plus what only the database can settle, which is why a write whose turn
/// <see cref="WriteTurn.NeedsDatabase"/> ends a batch of more and is applied alone: its declared constraints are
/// enforced in its transaction, and a conflict rolls its changes back and is recorded (or waits for the record it
/// references) in a transaction of its own. Use a fresh instance (scope) per attempt.
/// </summary>
public sealed partial class WriteApplier(
    WritePipelineDbContext db,
    ConstraintEnforcer constraints,
    CollectionCatalog collections,
    IWriteWebhooks webhooks,
    TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<WorkerOptions> options,
    Microsoft.Extensions.Options.IOptions<IdempotencyOptions> idempotency,
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
    public async Task<ApplyResult> ApplyAsync(ApplyWrite message, int partition, string expectedStatus, CancellationToken cancellationToken) =>
        (await ApplyAsync([message], partition, expectedStatus, cancellationToken))[0];

    /// <summary>
    /// Applies the longest prefix of <paramref name="writes"/> that can commit together, in one transaction, and
    /// returns a result for each write it took, in order. A batch of more than one stops before the first write whose
    /// turn needs the database (possibly taking none); a batch of one always takes its write.
    /// </summary>
    /// <remarks>
    /// Status (and Record.Version) are concurrency tokens: if another delivery of one of these writes, or of another
    /// write to one of their keys, committed since they were read, the save throws and nothing is committed.
    /// </remarks>
    public async Task<IReadOnlyList<ApplyResult>> ApplyAsync(IReadOnlyList<ApplyWrite> writes, int partition, string expectedStatus, CancellationToken cancellationToken)
    {
        // No transaction is resumed after a failed save here: the savepoint EF Core would set per save is a wasted round trip.
        db.Database.AutoSavepointsEnabled = false;
        var alone = writes.Count == 1;
        var results = new List<ApplyResult>(writes.Count);
        WriteDecision.Conflict? conflict = null;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var (rows, records, holds, keyHolders) = await LoadAsync(writes, expectedStatus, cancellationToken);
            var now = clock.GetUtcNow();
            foreach (var message in writes)
            {
                var key = (message.Collection, message.Key);
                var (write, isNew) = WriteTurn.RowFor(message, rows.GetValueOrDefault(message.WriteId), partition, expectedStatus);
                var claim = isNew ? ClaimOf(message, keyHolders) : null;
                records.TryGetValue(key, out var record);
                var turn = WriteTurn.Decide(message, write, expectedStatus, holds.GetValueOrDefault(key), record, collections, claim);
                if (turn.NeedsDatabase && !alone)
                {
                    break;
                }

                if (isNew)
                {
                    Record(write, claim, keyHolders);
                    rows[write.Id] = write;
                }

                if (turn is not WriteTurn.Skip)
                {
                    TakeDecidedBody(write, message, expectedStatus);
                }

                conflict = await CarryOutAsync(turn, message, record, records, results, now, cancellationToken);
            }

            if (conflict is null)
            {
                if (results.Count > 0)
                {
                    await db.SaveChangesAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                    await AddHandedOverConflictsAsync(results, cancellationToken);
                }

                return results;
            }

            // Nothing of the write's own attempt remains: what its conflict records is the record as it is now.
            await transaction.RollbackAsync(cancellationToken);
        }

        var only = writes[0];
        if (conflict.Type == WriteErrors.MissingReference && expectedStatus is WriteStatus.Queued or WriteStatus.Held or WriteStatus.Waiting
            && await WaitForReferenceAsync(only, partition, expectedStatus, conflict, cancellationToken) is { } waiting)
        {
            return [waiting];
        }

        return [await RecordConflictAsync(only, partition, expectedStatus, conflict, cancellationToken)];
    }

    /// <summary>
    /// Carries <paramref name="turn"/> out on the tracked rows (a record it applies to is what the next write of its key
    /// sees) and adds its result; the conflict it comes to, if any (a batch of one's only).
    /// </summary>
    async Task<WriteDecision.Conflict?> CarryOutAsync(
        WriteTurn turn, ApplyWrite message, Record? record, Dictionary<(string, string), Record> records, List<ApplyResult> results, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var write = turn.Write;
        switch (turn)
        {
            case WriteTurn.Skip:
                results.Add(new ApplyResult(ApplyOutcome.Skipped, write));
                break;

            case WriteTurn.Duplicate { Of: var holder }:
                write.MarkDuplicate(holder.Id, now);
                results.Add(new ApplyResult(ApplyOutcome.Duplicate, write));
                break;

            case WriteTurn.Hold { KeyHold: var hold }:
                hold.LastPosition++;
                write.MarkHeld(hold.BlockingWriteId, hold.LastPosition);
                logger.LogInformation("Write {WriteId} held behind conflicted write {BlockingWriteId} at place {HeldPosition}", write.Id, hold.BlockingWriteId, hold.LastPosition);
                results.Add(new ApplyResult(ApplyOutcome.Held, write, Deliveries: await webhooks.RecordAsync(WebhookEvents.Held, write, cancellationToken)));
                break;

            case WriteTurn.Fail { Failure: var failure }:
                write.MarkFailed(failure.Type, failure.Detail, now);
                results.Add(new ApplyResult(ApplyOutcome.Failed, write));
                break;

            case WriteTurn.Apply apply:
                var previousDocument = record?.Document;
                var applied = records[(message.Collection, message.Key)] = ApplyTo(db, message, write, record, apply.Document, now);
                results.Add(new ApplyResult(ApplyOutcome.Applied, write, Deliveries: await webhooks.RecordAsync(WebhookEvents.Applied, write, cancellationToken)));
                if (apply.EnforcesConstraints)
                {
                    // The claims and references are taken against what this transaction has saved.
                    await db.SaveChangesAsync(cancellationToken);
                    return await constraints.EnforceAsync(applied, previousDocument, cancellationToken);
                }

                break;

            case WriteTurn.Conflict { Detected: var detected }:
                return detected;
        }

        return null;
    }

    /// <summary>
    /// What the writes are decided on, read with one query each: their rows, their records and (for a delivery) their
    /// keys' holds and the holders of the Idempotency-Keys the new ones came with. Holds are read on every collection: a
    /// write waiting for a reference holds its key even where conflicts do not.
    /// </summary>
    async Task<(Dictionary<Guid, Write> Rows, Dictionary<(string, string), Record> Records, Dictionary<(string, string), KeyHold> Holds, Dictionary<(Guid, string), Write> KeyHolders)> LoadAsync(
        IReadOnlyList<ApplyWrite> writes, string expectedStatus, CancellationToken cancellationToken)
    {
        var ids = writes.Select(w => w.WriteId).Distinct().ToList();
        var rows = await db.Writes.Where(w => ids.Contains(w.Id)).ToDictionaryAsync(w => w.Id, cancellationToken);
        var keyHolders = new Dictionary<(Guid, string), Write>();
        if (expectedStatus == WriteStatus.Queued)
        {
            foreach (var byClient in writes.Where(w => w.IdempotencyKey is not null && !rows.ContainsKey(w.WriteId)).GroupBy(w => w.ClientId))
            {
                foreach (var (key, holder) in await LoadKeyHoldersAsync(byClient.Key, [.. byClient.Select(w => w.IdempotencyKey!).Distinct()], cancellationToken))
                {
                    keyHolders[key] = holder;
                }
            }
        }

        var records = new Dictionary<(string, string), Record>();
        var holds = new Dictionary<(string, string), KeyHold>();
        foreach (var byCollection in writes.GroupBy(w => w.Collection))
        {
            var collection = byCollection.Key;
            var keys = byCollection.Select(w => w.Key).Distinct().ToList();
            foreach (var record in await db.Records.Where(r => r.Collection == collection && keys.Contains(r.Key)).ToListAsync(cancellationToken))
            {
                records[(record.Collection, record.Key)] = record;
            }

            if (expectedStatus == WriteStatus.Queued)
            {
                foreach (var hold in await db.KeyHolds.Where(h => h.Collection == collection && keys.Contains(h.Key)).ToListAsync(cancellationToken))
                {
                    holds[(hold.Collection, hold.Key)] = hold;
                }
            }
        }

        return (rows, records, holds, keyHolders);
    }

    /// <summary>
    /// A skipped write that is conflicted is handed to its saga again, with its conflict: the worker may have died
    /// between recording the conflict and handing it over; the saga recognises a repeat. The caller logs the skip.
    /// </summary>
    async Task AddHandedOverConflictsAsync(List<ApplyResult> results, CancellationToken cancellationToken)
    {
        var conflicted = results.Where(IsSkippedConflict).Select(r => r.Write!.Id).ToList();
        if (conflicted.Count == 0)
        {
            return;
        }

        var conflicts = await db.WriteConflicts.AsNoTracking().Where(c => conflicted.Contains(c.WriteId)).ToDictionaryAsync(c => c.WriteId, cancellationToken);
        for (var i = 0; i < results.Count; i++)
        {
            if (IsSkippedConflict(results[i]))
            {
                results[i] = results[i] with { Conflict = conflicts.GetValueOrDefault(results[i].Write!.Id) };
            }
        }
    }

    static bool IsSkippedConflict(ApplyResult result) => result is { Outcome: ApplyOutcome.Skipped, Write.Status: WriteStatus.Conflicted };

    async Task<ApplyResult> SkippedAsync(Write write, CancellationToken cancellationToken)
    {
        List<ApplyResult> skipped = [new ApplyResult(ApplyOutcome.Skipped, write)];
        await AddHandedOverConflictsAsync(skipped, cancellationToken);
        return skipped[0];
    }

    /// <summary>Carries out a decision to give a <c>resolving</c> write up.</summary>
    public async Task<ApplyResult> DiscardAsync(Guid writeId, CancellationToken cancellationToken)
    {
        var write = await db.Writes.SingleOrDefaultAsync(w => w.Id == writeId, cancellationToken);
        if (write is null || !WriteTurn.IsInTurn(write, WriteStatus.Resolving))
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

    Task<Record?> LoadRecordAsync(ApplyWrite message, CancellationToken cancellationToken) =>
        db.Records.SingleOrDefaultAsync(r => r.Collection == message.Collection && r.Key == message.Key, cancellationToken);

    /// <summary>Makes <paramref name="document"/> the record's next version: the record, its history row, the write's status.</summary>
    static Record ApplyTo(WritePipelineDbContext db, ApplyWrite message, Write write, Record? record, string? document, DateTimeOffset now)
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
