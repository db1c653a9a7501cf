using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;
using WritePipeline.Audit;
using WritePipeline.Conflicts;
using WritePipeline.Data;
using WritePipeline.Webhooks;
using WritePipeline.Writes;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Admin;

/// <summary>A discarded write in the archive: who gave it up, when and why, and until when it can be restored.</summary>
public sealed record ArchivedWrite(
    Guid WriteId, string Collection, string Key, string Operation, Guid ClientId, string? Kind,
    DateTimeOffset SubmittedAt, DateTimeOffset? DiscardedAt, string? DiscardedBy, string? Reason, DateTimeOffset? PurgeAfter);

public sealed record ArchivePage(IReadOnlyList<ArchivedWrite> Items, int Total, int Page, int PageSize);

/// <summary>The archive: discarded writes, restorable (<see cref="WriteActions.RestoreAsync"/>) until the retention purges them.</summary>
public sealed class Archive(WritePipelineDbContext db, IOptions<ArchiveOptions> options)
{
    public async Task<ArchivePage> ListAsync(string? collection, string? key, int page, int pageSize, CancellationToken cancellationToken)
    {
        var query = db.Writes.AsNoTracking().Where(w => w.Status == WriteStatus.Discarded);
        if (!string.IsNullOrWhiteSpace(collection))
        {
            query = query.Where(w => w.Collection == collection);
        }

        if (!string.IsNullOrWhiteSpace(key))
        {
            query = query.Where(w => w.Key == key);
        }

        var size = Math.Clamp(pageSize, 1, ParkedWrites.MaxPageSize);
        page = Math.Max(page, 1);
        var total = await query.CountAsync(cancellationToken);
        var rows = await (
                from w in query
                join s in db.ConflictSagas.AsNoTracking() on w.Id equals s.CorrelationId into sagas
                from saga in sagas.DefaultIfEmpty()
                orderby w.CompletedAt descending, w.Id
                select new { Write = w, By = saga == null ? null : saga.ResolvedBy, Reason = saga == null ? null : saga.ResolutionReason })
            .Skip((page - 1) * size).Take(size)
            .ToListAsync(cancellationToken);

        // A write that failed outright has no saga: its discard is known from the audit log only.
        var withoutSaga = rows.Where(r => r.By is null).Select(r => r.Write.Id).ToList();
        var audited = withoutSaga.Count == 0
            ? []
            : (await db.AuditEntries.AsNoTracking()
                .Where(e => e.WriteId != null && withoutSaga.Contains(e.WriteId.Value) && e.Action == AuditActions.ForDecision(Contracts.ResolutionActions.Discard) && e.Outcome == AuditOutcomes.Taken)
                .ToListAsync(cancellationToken))
                .GroupBy(e => e.WriteId!.Value).ToDictionary(g => g.Key, g => g.MaxBy(e => e.At)!);
        var retention = options.Value.Retention;
        return new ArchivePage(
            [.. rows.Select(r =>
            {
                var entry = audited.GetValueOrDefault(r.Write.Id);
                return new ArchivedWrite(
                    r.Write.Id, r.Write.Collection, r.Write.Key, r.Write.Operation, r.Write.ClientId, r.Write.ErrorType, r.Write.SubmittedAt,
                    r.Write.CompletedAt, r.By ?? entry?.Actor, r.Reason ?? entry?.Reason, r.Write.CompletedAt + retention);
            })],
            total, page, size);
    }
}

/// <summary>
/// Purges discarded writes past the archive's retention: the write, its conflict snapshot, its saga and its webhook
/// deliveries. The audit log keeps the record of what was done. Runs on one worker at a time.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ArchivePurgeJob(IServiceScopeFactory scopes, IOptions<ArchiveOptions> options, TimeProvider clock, ILogger<ArchivePurgeJob> logger) : IJob
{
    public const string Name = "archive-purge";
    const int Batch = 500;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - options.Value.Retention;
        var purged = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
            var ids = await db.Writes.AsNoTracking()
                .Where(w => w.Status == WriteStatus.Discarded && w.CompletedAt < cutoff)
                .OrderBy(w => w.CompletedAt).Select(w => w.Id).Take(Batch)
                .ToListAsync(cancellationToken);
            if (ids.Count == 0)
            {
                break;
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // The writes first, and only those still discarded: one restored meanwhile keeps its conflict and saga.
            purged += await db.Writes.Where(w => ids.Contains(w.Id) && w.Status == WriteStatus.Discarded && w.CompletedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
            var kept = await db.Writes.Where(w => ids.Contains(w.Id)).Select(w => w.Id).ToListAsync(cancellationToken);
            var gone = ids.Except(kept).ToList();
            var deliveries = db.WebhookDeliveries.Where(d => gone.Contains(d.WriteId)).Select(d => d.Id);
            await db.WebhookAttempts.Where(a => deliveries.Contains(a.DeliveryId)).ExecuteDeleteAsync(cancellationToken);
            await db.WebhookDeliveries.Where(d => gone.Contains(d.WriteId)).ExecuteDeleteAsync(cancellationToken);
            await db.WriteConflicts.Where(c => gone.Contains(c.WriteId)).ExecuteDeleteAsync(cancellationToken);
            await db.ConflictSagas.Where(s => gone.Contains(s.CorrelationId)).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        if (purged > 0)
        {
            logger.LogInformation("Purged {Count} discarded writes older than {Cutoff} from the archive", purged, cutoff);
        }
    }
}
