using Microsoft.Extensions.Logging;
using WritePipeline.Contracts;

namespace WritePipeline.Writes;

/// <summary>The reference grace: a write whose referenced record is missing waits for it instead of conflicting.</summary>
public sealed partial class WriteApplier
{
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
        if (!WriteTurn.IsInTurn(write, expectedStatus))
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
}
