using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;
using WritePipeline.Data;

namespace WritePipeline.Writes;

/// <summary>
/// Frees the Idempotency-Keys of writes past <see cref="IdempotencyOptions.Retention"/>, in batches: the key (and the
/// request's fingerprint) is cleared, the write row stays. Only writes that are final or were rejected: a key whose
/// write may still change keeps answering its replays, however old.
/// </summary>
public sealed class IdempotencyKeyRelease(WritePipelineDbContext db, TimeProvider clock, IOptions<IdempotencyOptions> options, ILogger<IdempotencyKeyRelease> logger)
{
    /// <summary>Keys released per statement: short transactions, however many are due.</summary>
    public const int Batch = 1000;

    static readonly string[] Done = [WriteStatus.Applied, WriteStatus.Discarded, WriteStatus.Failed, WriteStatus.Rejected];

    public async Task<int> ReleaseAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - options.Value.Retention;
        var released = 0;
        while (true)
        {
            var due = await db.Writes.AsNoTracking()
                .Where(w => w.IdempotencyKey != null && w.SubmittedAt < cutoff && Done.Contains(w.Status))
                .OrderBy(w => w.SubmittedAt)
                .Select(w => w.Id)
                .Take(Batch)
                .ToListAsync(cancellationToken);
            if (due.Count == 0)
            {
                break;
            }

            released += await db.Writes
                .Where(w => due.Contains(w.Id))
                .ExecuteUpdateAsync(set => set.SetProperty(w => w.IdempotencyKey, (string?)null).SetProperty(w => w.RequestHash, (string?)null), cancellationToken);
            if (due.Count < Batch)
            {
                break;
            }
        }

        if (released > 0)
        {
            logger.LogInformation("Released {Count} Idempotency-Keys of writes submitted before {Cutoff}", released, cutoff);
        }

        return released;
    }
}

/// <summary>Runs the <see cref="IdempotencyKeyRelease"/> every <see cref="IdempotencyOptions.ReleaseInterval"/>, on one worker at a time.</summary>
[DisallowConcurrentExecution]
public sealed class IdempotencyKeyReleaseJob(IServiceScopeFactory scopes) : IJob
{
    public const string Name = "idempotency-key-release";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IdempotencyKeyRelease>().ReleaseAsync(cancellationToken);
    }
}
