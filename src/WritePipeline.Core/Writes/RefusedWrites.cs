using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WritePipeline.Data;

namespace WritePipeline.Writes;

/// <summary>
/// Ends a write the database refuses for its data (<see cref="FailureKind.Data"/>) <c>failed</c> with
/// <see cref="WriteErrors.StorageRejected"/> and the database's reason: trying again would give the same answer, and
/// the writes behind it on its key must go on.
/// </summary>
public sealed class RefusedWrites(IServiceScopeFactory scopes, InPlaceRetry retry, TimeProvider clock, ILogger<RefusedWrites> logger)
{
    /// <summary>
    /// Ends a newly delivered write failed. One that had no row (not sent by the API) was recorded in the transaction
    /// the refusal rolled back: it is recorded again, failed, or it would keep no status at all.
    /// </summary>
    public async Task<ApplyResult> FailAsync(Contracts.ApplyWrite message, int partition, Exception reason, CancellationToken cancellationToken)
    {
        var result = await FailAsync(message.WriteId, WriteStatus.Queued, reason, cancellationToken);
        if (result.Write is not null)
        {
            return result;
        }

        var write = Write.FromMessage(message, partition);
        write.MarkFailed(WriteErrors.StorageRejected, Detail(reason), clock.GetUtcNow());
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
            db.Writes.Add(write);
            await db.SaveChangesAsync(cancellationToken);
            return new ApplyResult(ApplyOutcome.Failed, write);
        }
        catch (DbUpdateException ex) when (TransientFailures.Classify(ex) == FailureKind.Data)
        {
            // Its own key or collection is what the database cannot store (only a message from elsewhere carries one).
            logger.LogError(ex, "Write {WriteId} to {Collection}/{Key} has no row and the database refuses one: it keeps no status", message.WriteId, message.Collection, message.Key);
            return new ApplyResult(ApplyOutcome.Skipped, null);
        }
    }

    static string Detail(Exception reason) =>
        WriteErrors.Cut($"The database refused what applying this write would store: {reason.GetBaseException().Message}");

    /// <summary>Marks the write failed if it is still in <paramref name="expectedStatus"/>; the write as it is now (null when it has no row).</summary>
    public async Task<ApplyResult> FailAsync(Guid writeId, string expectedStatus, Exception reason, CancellationToken cancellationToken)
    {
        var detail = Detail(reason);
        logger.LogError(reason, "Write {WriteId} ends failed: the database refused it", writeId);
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
                                .SetProperty(w => w.ErrorType, WriteErrors.StorageRejected)
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
