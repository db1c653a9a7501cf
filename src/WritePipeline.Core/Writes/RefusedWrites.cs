using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Data;

namespace WritePipeline.Writes;

/// <summary>
/// Ends a write the database refuses for its data (<see cref="FailureKind.Data"/>) <c>failed</c> with
/// <see cref="WriteErrors.StorageRejected"/> and the database's reason: trying again would give the same answer, and
/// the writes behind it on its key must go on.
/// </summary>
public sealed class RefusedWrites(IServiceScopeFactory scopes, TimeProvider clock, IOptions<WritePipelineOptions> options, ILogger<RefusedWrites> logger)
{
    /// <summary>Marks the write failed if it is still in <paramref name="expectedStatus"/>; the write as it is now.</summary>
    public async Task<ApplyResult> FailAsync(Guid writeId, string expectedStatus, Exception reason, CancellationToken cancellationToken)
    {
        var detail = WriteErrors.Cut($"The database refused what applying this write would store: {reason.GetBaseException().Message}");
        logger.LogError(reason, "Write {WriteId} ends failed: the database refused it", writeId);
        var worker = options.Value.Worker;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
                var now = clock.GetUtcNow();
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
                var write = await db.Writes.AsNoTracking().SingleOrDefaultAsync(w => w.Id == writeId, cancellationToken);
                return new ApplyResult(write?.Status == WriteStatus.Failed ? ApplyOutcome.Failed : ApplyOutcome.Skipped, write);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && TransientFailures.Classify(ex) == FailureKind.Transient)
            {
                await Task.Delay(TransientFailures.Backoff(attempt, worker.RetryMinimumDelay, worker.RetryMaximumDelay), cancellationToken);
            }
        }
    }
}
