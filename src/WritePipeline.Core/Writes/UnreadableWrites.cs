using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WritePipeline.Data;

namespace WritePipeline.Writes;

/// <summary>
/// A message on a partition that cannot be read (its body or type is not a write) still names its write by message
/// id: that write ends <c>failed</c> with the reason, so its submitter learns of it from the status resource
/// instead of it waiting for ever in <c>queued</c>, and the partition goes on.
/// </summary>
public sealed class UnreadableWrites(WritePipelineDbContext db, TimeProvider clock, ILogger<UnreadableWrites> logger)
{
    public async Task RecordAsync(string? messageId, string detail, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(messageId, out var writeId))
        {
            logger.LogError("An unreadable message without a write id arrived on a partition and is dropped: {Detail}", detail);
            return;
        }

        var now = clock.GetUtcNow();
        var cut = WriteErrors.Cut(detail);
        // In a transaction: a partition's writes commit only where its lease is checked.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var marked = await db.Writes
            .Where(w => w.Id == writeId && w.Status == WriteStatus.Queued)
            .ExecuteUpdateAsync(
                update => update
                    .SetProperty(w => w.Status, WriteStatus.Failed)
                    .SetProperty(w => w.ErrorType, WriteErrors.UnreadableMessage)
                    .SetProperty(w => w.ErrorDetail, cut)
                    .SetProperty(w => w.CompletedAt, now),
                cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogError("Write {WriteId} could not be read from its partition and ends failed ({Marked} status updated): {Detail}", writeId, marked, detail);
    }
}
