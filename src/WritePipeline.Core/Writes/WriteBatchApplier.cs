using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Collections;
using WritePipeline.Contracts;
using WritePipeline.Data;
using WritePipeline.Partitioning;
using WritePipeline.Records;
using WritePipeline.Webhooks;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Writes;

/// <summary>
/// Applies consecutive writes of one partition, in their order, up to <see cref="WorkerOptions.MaxBatchSize"/> in one
/// transaction with a handful of round trips: the write rows, records and key holds of the whole batch are read with
/// one query each, every write is decided in memory against the record as the writes before it left it, and all
/// changes are saved in one batched statement.
/// </summary>
/// <remarks>
/// The outcome is what <see cref="WriteApplier"/> gives applying the same writes one at a time, in order, because a
/// write whose outcome needs more than that (a conflict, which rolls back and records a snapshot; a declared
/// constraint the database must settle; a delete that must count references) ends the batch: what came before it
/// commits, it goes through <see cref="WriteApplier"/> alone, and a new batch starts after it. A batch that loses a
/// race with another delivery or meets a data error is applied one write at a time instead. Passing failures are
/// retried in place, holding the partition.
/// </remarks>
public sealed class WriteBatchApplier(
    IServiceScopeFactory scopes,
    InPlaceRetry retry,
    FailedWrites failures,
    CollectionCatalog collections,
    TimeProvider clock,
    IOptions<WorkerOptions> options,
    ILogger<WriteBatchApplier> logger)
{
    /// <param name="writes">The writes, in the partition's order; each gets one result, in the same order.</param>
    /// <param name="partition">Their partition.</param>
    /// <param name="cancellationToken">Ends the wait; what committed stays committed.</param>
    /// <param name="spans">Each write's apply span, when tracing: current while that write is applied alone.</param>
    public async Task<IReadOnlyList<ApplyResult>> ApplyAsync(IReadOnlyList<ApplyWrite> writes, int partition, CancellationToken cancellationToken, IReadOnlyList<Activity?>? spans = null)
    {
        var results = new List<ApplyResult>(writes.Count);
        var maxBatch = options.Value.MaxBatchSize;
        var next = 0;
        while (next < writes.Count)
        {
            var end = Math.Min(writes.Count, next + maxBatch);
            var taken = end - next > 1 ? await ApplyBatchAsync(writes, next, end, partition, results, cancellationToken) : 0;
            if (taken < 0)
            {
                for (; next < end; next++)
                {
                    results.Add(await ApplyOneAsync(writes[next], partition, spans?[next], cancellationToken));
                }

                continue;
            }

            next += taken;
            if (next < end)
            {
                // This write needs the one-at-a-time path (a conflict, a constraint, a delete): the batch ended before it.
                results.Add(await ApplyOneAsync(writes[next], partition, spans?[next], cancellationToken));
                next++;
            }
        }

        return results;
    }

    /// <summary>Applies a prefix of writes[from..end) in one transaction; how many it took, or -1 to apply them one at a time.</summary>
    async Task<int> ApplyBatchAsync(IReadOnlyList<ApplyWrite> writes, int from, int end, int partition, List<ApplyResult> results, CancellationToken cancellationToken)
    {
        try
        {
            return await retry.RunAsync(
                () => TryBatchAsync(writes, from, end, partition, results, cancellationToken),
                (ex, _) => TransientFailures.Classify(ex) == FailureKind.Transient,
                cancellationToken);
        }
        catch (Exception ex) when (TransientFailures.Classify(ex) is FailureKind.Race or FailureKind.Data || TransientFailures.IsUnexpected(ex))
        {
            // One at a time, a write that cannot be applied ends failed alone and the others are applied.
            logger.LogWarning(ex, "A batch of {Count} writes could not be applied together ({Kind}); applying them one at a time", end - from, TransientFailures.Classify(ex));
            return -1;
        }
    }

    async Task<int> TryBatchAsync(IReadOnlyList<ApplyWrite> writes, int from, int end, int partition, List<ApplyResult> results, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
        var webhooks = scope.ServiceProvider.GetRequiredService<IWriteWebhooks>();
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var batch = new List<ApplyWrite>(end - from);
        for (var i = from; i < end; i++)
        {
            batch.Add(writes[i]);
        }

        var ids = batch.Select(w => w.WriteId).Distinct().ToList();
        var rows = await db.Writes.Where(w => ids.Contains(w.Id)).ToDictionaryAsync(w => w.Id, cancellationToken);
        var records = new Dictionary<(string, string), Record>();
        var holds = new Dictionary<(string, string), KeyHold>();
        foreach (var byCollection in batch.GroupBy(w => w.Collection))
        {
            var collection = byCollection.Key;
            var keys = byCollection.Select(w => w.Key).Distinct().ToList();
            foreach (var record in await db.Records.Where(r => r.Collection == collection && keys.Contains(r.Key)).ToListAsync(cancellationToken))
            {
                records[(record.Collection, record.Key)] = record;
            }

            // Every collection's: a write waiting for a reference holds its key even where conflicts do not.
            foreach (var hold in await db.KeyHolds.Where(h => h.Collection == collection && keys.Contains(h.Key)).ToListAsync(cancellationToken))
            {
                holds[(hold.Collection, hold.Key)] = hold;
            }
        }

        var now = clock.GetUtcNow();
        var outcomes = new List<ApplyResult>(batch.Count);
        foreach (var message in batch)
        {
            var key = (message.Collection, message.Key);
            if (!rows.TryGetValue(message.WriteId, out var write))
            {
                // The API records every write before sending it; a message without a row was sent by something else.
                write = Write.FromMessage(message, partition);
                db.Writes.Add(write);
                rows[write.Id] = write;
            }

            if (write.Status != WriteStatus.Queued)
            {
                // A redelivery of a write already done (or one the API rejected): nothing to do but say so.
                outcomes.Add(new ApplyResult(ApplyOutcome.Skipped, write));
                continue;
            }

            if (holds.TryGetValue(key, out var keyHold))
            {
                // Order survives a conflict: the write waits behind it, in its place.
                keyHold.LastPosition++;
                write.MarkHeld(keyHold.BlockingWriteId, keyHold.LastPosition);
                outcomes.Add(new ApplyResult(ApplyOutcome.Held, write, Deliveries: await webhooks.RecordAsync(WebhookEvents.Held, write, cancellationToken)));
                continue;
            }

            records.TryGetValue(key, out var current);
            // A merged document that breaks the schema is a Failure below: the write ends failed and the record is left as it is.
            var decision = WriteRules.Decide(message, current, collections.SchemaOf(message.Collection));
            if (decision is WriteDecision.Conflict
                || (decision is WriteDecision.Apply apply && !ConstraintEnforcer.HasNothingToEnforce(collections, message.Collection, current?.Document, apply.Document)))
            {
                break;
            }

            if (decision is WriteDecision.Failure failure)
            {
                write.MarkFailed(failure.Type, failure.Detail, now);
                outcomes.Add(new ApplyResult(ApplyOutcome.Failed, write));
                continue;
            }

            records[key] = WriteApplier.ApplyTo(db, message, write, current, ((WriteDecision.Apply)decision).Document, now);
            outcomes.Add(new ApplyResult(ApplyOutcome.Applied, write, Deliveries: await webhooks.RecordAsync(WebhookEvents.Applied, write, cancellationToken)));
        }

        if (outcomes.Count == 0)
        {
            return 0;
        }

        // Status (and Record.Version) are concurrency tokens: another delivery that committed meanwhile makes this throw.
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await AddSkippedConflictsAsync(db, outcomes, cancellationToken);
        results.AddRange(outcomes);
        return outcomes.Count;
    }

    /// <summary>
    /// A skipped write that is conflicted is handed to its saga again, with its conflict (the worker may have died
    /// between recording the conflict and handing it over; the saga recognises a repeat).
    /// </summary>
    static async Task AddSkippedConflictsAsync(WritePipelineDbContext db, List<ApplyResult> outcomes, CancellationToken cancellationToken)
    {
        var conflicted = outcomes.Where(o => o is { Outcome: ApplyOutcome.Skipped, Write.Status: WriteStatus.Conflicted }).Select(o => o.Write!.Id).ToList();
        if (conflicted.Count > 0)
        {
            var conflicts = await db.WriteConflicts.AsNoTracking().Where(c => conflicted.Contains(c.WriteId)).ToDictionaryAsync(c => c.WriteId, cancellationToken);
            for (var i = 0; i < outcomes.Count; i++)
            {
                if (outcomes[i] is { Outcome: ApplyOutcome.Skipped, Write: { Status: WriteStatus.Conflicted } write })
                {
                    outcomes[i] = outcomes[i] with { Conflict = conflicts.GetValueOrDefault(write.Id) };
                }
            }
        }
    }

    /// <summary>
    /// One write alone, through <see cref="WriteApplier"/>, under its own span and log scope; a write that can never be
    /// applied (the database refuses it, or it fails every time for a reason of no known kind) ends failed instead of
    /// blocking its key.
    /// </summary>
    async Task<ApplyResult> ApplyOneAsync(ApplyWrite write, int partition, Activity? span, CancellationToken cancellationToken)
    {
        // Only this write's: the change of the current activity ends with this method.
        Activity.Current = span ?? Activity.Current;
        using var scope = logger.BeginWriteScope(write.WriteId, write.Collection, write.Key, partition);
        return await failures.RunAsync(
            write,
            partition,
            async () =>
            {
                await using var scope = scopes.CreateAsyncScope();
                return await scope.ServiceProvider.GetRequiredService<WriteApplier>().ApplyAsync(write, partition, cancellationToken);
            },
            cancellationToken);
    }
}
