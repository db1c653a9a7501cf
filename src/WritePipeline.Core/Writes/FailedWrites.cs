using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WritePipeline.Data;

namespace WritePipeline.Writes;

/// <summary>
/// Runs a partition's step on one write so that a write that can never be applied ends <c>failed</c> and the writes
/// behind it go on, instead of stopping its key, and then its partition, for good: one the database refuses for its
/// data (<see cref="FailureKind.Data"/>, or a race that does not settle) ends with <see cref="WriteErrors.StorageRejected"/>
/// and the database's reason; one whose step fails for a reason of no known kind every time it is tried
/// (<see cref="InPlaceRetry.Bounded"/>) ends with <see cref="WriteErrors.ProcessingError"/> and the failure's message.
/// Passing failures are retried in place without limit, as everywhere on a partition.
/// </summary>
public sealed class FailedWrites(IServiceScopeFactory scopes, InPlaceRetry retry, TimeProvider clock, ILogger<FailedWrites> logger)
{
    /// <summary>Runs <paramref name="step"/> on a write in <paramref name="expectedStatus"/>; if it can never succeed, the write ends failed.</summary>
    public async Task<ApplyResult> RunAsync(Guid writeId, string expectedStatus, Func<Task<ApplyResult>> step, CancellationToken cancellationToken)
    {
        try
        {
            return await retry.RunAsync(step, retry.Bounded(), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && CannotSucceed(ex))
        {
            return await FailAsync(writeId, expectedStatus, ex, cancellationToken);
        }
    }

    /// <summary>
    /// Runs <paramref name="step"/> on a newly delivered write; if it can never succeed, the write ends failed. One that
    /// had no row (not sent by the API) was recorded in the transaction the failure rolled back: it is recorded again,
    /// failed, or it would keep no status at all.
    /// </summary>
    public async Task<ApplyResult> RunAsync(Contracts.ApplyWrite message, int partition, Func<Task<ApplyResult>> step, CancellationToken cancellationToken)
    {
        try
        {
            return await retry.RunAsync(step, retry.Bounded(), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && CannotSucceed(ex))
        {
            var result = await FailAsync(message.WriteId, WriteStatus.Queued, ex, cancellationToken);
            return result.Write is not null ? result : await RecordFailedAsync(message, partition, ex, cancellationToken);
        }
    }

    static bool CannotSucceed(Exception exception) =>
        TransientFailures.Classify(exception) is FailureKind.Data or FailureKind.Race || TransientFailures.IsUnexpected(exception);

    static (string Type, string Detail) ErrorOf(Exception reason) => TransientFailures.IsUnexpected(reason)
        ? (WriteErrors.ProcessingError, WriteErrors.Cut(reason.Message))
        : (WriteErrors.StorageRejected, WriteErrors.Cut($"The database refused what applying this write would store: {reason.GetBaseException().Message}"));

    async Task<ApplyResult> RecordFailedAsync(Contracts.ApplyWrite message, int partition, Exception reason, CancellationToken cancellationToken)
    {
        var (type, detail) = ErrorOf(reason);
        var write = Write.FromMessage(message, partition);
        write.MarkFailed(type, detail, clock.GetUtcNow());
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
            if (message.IdempotencyKey is { } key && await db.Writes.AnyAsync(w => w.ClientId == message.ClientId && w.IdempotencyKey == key, cancellationToken))
            {
                // Another write holds its key: the failed write keeps none (it takes no key over in failing).
                write.GiveUpIdempotencyKey();
            }

            db.Writes.Add(write);
            await db.SaveChangesAsync(cancellationToken);
            return new ApplyResult(ApplyOutcome.Failed, write);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && CannotSucceed(ex))
        {
            // Its own key or collection is what the database cannot store (only a message from elsewhere carries one),
            // or recording it fails as applying it did.
            logger.LogError(ex, "Write {WriteId} to {Collection}/{Key} has no row and none can be recorded: it keeps no status", message.WriteId, message.Collection, message.Key);
            return new ApplyResult(ApplyOutcome.Skipped, null);
        }
    }

    /// <summary>Marks the write failed if it is still in <paramref name="expectedStatus"/>; the write as it is now (null when it has no row).</summary>
    async Task<ApplyResult> FailAsync(Guid writeId, string expectedStatus, Exception reason, CancellationToken cancellationToken)
    {
        var (type, detail) = ErrorOf(reason);
        logger.LogError(reason, "Write {WriteId} ends failed ({ErrorType}): it cannot be applied, and the writes behind it go on", writeId, type);
        return await retry.RunAsync(
            async () =>
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
                var now = clock.GetUtcNow();
                await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
                {
                    await db.Writes
                        .Where(w => w.Id == writeId && w.Status == expectedStatus)
                        .ExecuteUpdateAsync(
                            update => update
                                .SetProperty(w => w.Status, WriteStatus.Failed)
                                .SetProperty(w => w.ErrorType, type)
                                .SetProperty(w => w.ErrorDetail, detail)
                                .SetProperty(w => w.CompletedAt, now)
                                .SetProperty(w => w.HeldBehind, (Guid?)null),
                            cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                }

                var write = await db.Writes.AsNoTracking().SingleOrDefaultAsync(w => w.Id == writeId, cancellationToken);
                return new ApplyResult(write?.Status == WriteStatus.Failed ? ApplyOutcome.Failed : ApplyOutcome.Skipped, write);
            },
            InPlaceRetry.Passing,
            cancellationToken);
    }
}
