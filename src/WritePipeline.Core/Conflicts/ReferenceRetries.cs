using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WritePipeline.Data;
using WritePipeline.Partitioning;
using WritePipeline.Telemetry;
using WritePipeline.Writes;

namespace WritePipeline.Conflicts;

/// <summary>
/// Tries a write <c>waiting</c> for a record it references again, in its partition's turn (<see cref="ReferenceRetry"/>):
/// applied once the record exists; still missing within its grace, it waits on; past its grace, it conflicts with
/// <c>missing_reference</c> and is handed to its saga. Then the writes held behind it are released in their order,
/// unless it still waits or its collection holds on conflict. Every step commits under the partition's fence, so only
/// the partition's owner decides, and a retry that finds the write no longer waiting changes nothing.
/// </summary>
public sealed class ReferenceRetries(
    IServiceScopeFactory scopes,
    ConflictHandover handover,
    FailedWrites failures,
    ResolutionApplier releases,
    InPlaceRetry retry,
    PipelineMeter meter,
    TimeProvider clock,
    ILogger<ReferenceRetries> logger)
{
    public async Task RetryAsync(ReferenceRetry message, int partition, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginWriteScope(message.WriteId, message.Collection, message.Key, partition);
        var result = await failures.RunAsync(message.WriteId, WriteStatus.Waiting, () => AttemptAsync(message, partition, cancellationToken), cancellationToken);

        meter.Outcome(result, clock.GetUtcNow(), inTurn: false);
        await retry.RunAsync(() => handover.SendAsync(result, cancellationToken), InPlaceRetry.UntilSent, cancellationToken);
        if (result.Outcome != ApplyOutcome.Waiting)
        {
            logger.LogInformation("Write waiting for a reference: {Outcome}", result.Outcome);

            // Also after a skip: a worker that died between this write's apply and the release left the key held,
            // and this redelivered retry is what releases it.
            await releases.ReleaseHeldWritesAsync(message.Collection, message.Key, partition, cancellationToken);
        }
    }

    async Task<ApplyResult> AttemptAsync(ReferenceRetry message, int partition, CancellationToken cancellationToken)
    {
        await using var services = scopes.CreateAsyncScope();
        var db = services.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
        var write = await db.Writes.AsNoTracking().SingleOrDefaultAsync(w => w.Id == message.WriteId, cancellationToken);
        return write is null
            ? new ApplyResult(ApplyOutcome.Skipped, null)
            : await services.ServiceProvider.GetRequiredService<WriteApplier>().ApplyAsync(write.ToMessage(), partition, WriteStatus.Waiting, cancellationToken);
    }
}
