using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WritePipeline.Data;
using WritePipeline.Partitioning;

namespace WritePipeline.Writes;

/// <summary>
/// The partition's answer to the sweeper's check (<see cref="UnconfirmedWriteCheck"/>): the check was queued behind
/// everything the partition held, so if the write's message had ever been queued the write would have left
/// <c>queued</c> by now. One still <c>queued</c> never reached the broker (and got no 202): it ends <c>rejected</c>,
/// and a copy of its message arriving later finds it rejected and is skipped.
/// </summary>
public sealed class UnconfirmedWrites(WritePipelineDbContext db, TimeProvider clock, Telemetry.PipelineMeter meter, ILogger<UnconfirmedWrites> logger)
{
    const string Detail = "The API recorded this write but the broker never confirmed it (no 202 was given), and its message never reached its partition. It was not applied; submit it again.";

    public async Task RejectIfNeverQueuedAsync(UnconfirmedWriteCheck check, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rejected = await db.Writes
            .Where(w => w.Id == check.WriteId && w.Status == WriteStatus.Queued)
            .ExecuteUpdateAsync(
                update => update
                    .SetProperty(w => w.Status, WriteStatus.Rejected)
                    .SetProperty(w => w.ErrorType, WriteErrors.Unconfirmed)
                    .SetProperty(w => w.ErrorDetail, Detail)
                    .SetProperty(w => w.CompletedAt, now),
                cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (rejected == 1)
        {
            var operation = await db.Writes.Where(w => w.Id == check.WriteId).Select(w => w.Operation).SingleAsync(cancellationToken);
            meter.Rejected(check.Collection, operation, WriteErrors.Unconfirmed);
            logger.LogWarning("Write {WriteId} to {Collection}/{Key} never reached its partition: rejected", check.WriteId, check.Collection, check.Key);
        }
    }
}
