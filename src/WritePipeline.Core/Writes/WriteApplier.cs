using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
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
/// Applies one write in one transaction: the record change, its version, the history row and the write's final
/// status commit together or not at all. Use a fresh instance (scope) per attempt.
/// </summary>
public sealed class WriteApplier(WritePipelineDbContext db, TimeProvider clock, ILogger<WriteApplier> logger)
{
    public async Task<ApplyOutcome> ApplyAsync(ApplyWrite message, int partition, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var write = await db.Writes.SingleOrDefaultAsync(w => w.Id == message.WriteId, cancellationToken);
        if (write is null)
        {
            // The API records every write before sending it; a message without a row was sent by something else.
            // Record it now so it still gets a status.
            write = Write.FromMessage(message, partition);
            db.Writes.Add(write);
        }
        else if (write.Status != WriteStatus.Queued)
        {
            // Exactly once: this delivery is a redelivery of a write that already committed (the worker died
            // before the ack), or the API told its client it was rejected.
            logger.LogInformation("Write is already {Status}; this delivery is skipped", write.Status);
            return ApplyOutcome.Skipped;
        }

        var record = await db.Records.SingleOrDefaultAsync(r => r.Collection == message.Collection && r.Key == message.Key, cancellationToken);
        var now = clock.GetUtcNow();
        var outcome = WriteRules.Decide(message, record) switch
        {
            WriteDecision.Apply apply => Apply(message, write, record, apply.Document, now),
            WriteDecision.Conflict conflict => End(() => write.MarkConflicted(conflict.Type, conflict.Detail, now), ApplyOutcome.Conflicted),
            WriteDecision.Failure failure => End(() => write.MarkFailed(failure.Type, failure.Detail, now), ApplyOutcome.Failed),
            _ => throw new InvalidOperationException("Unknown decision."),
        };

        // Status (and Record.Version) are concurrency tokens: if another delivery of this write, or of another
        // write to this key, committed since we read them, this throws and the whole attempt is retried.
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }

    ApplyOutcome Apply(ApplyWrite message, Write write, Record? record, string? document, DateTimeOffset now)
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
        return ApplyOutcome.Applied;
    }

    static ApplyOutcome End(Action mark, ApplyOutcome outcome)
    {
        mark();
        return outcome;
    }
}
