using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Contracts;
using WritePipeline.Partitioning;

namespace WritePipeline.Writes;

/// <summary>
/// Applies the deliveries of one partition, in their order, in batches of up to <see cref="WorkerOptions.MaxBatchSize"/>
/// consecutive writes, each one transaction of <see cref="WriteApplier"/> (a fresh scope per attempt), and settles
/// what happens when a batch cannot commit.
/// </summary>
/// <remarks>
/// A batch and a single write go through the same code: a write whose turn needs the database (a conflict, which rolls
/// back and records a snapshot; a declared constraint the database must settle; a delete that must count references)
/// ends the batch: what came before it commits, it is applied as a batch of one, and a new batch starts after it. A
/// batch that loses a race with another delivery, meets a data error or fails for a reason of no known kind is applied
/// one write at a time instead, where a write that can never be applied ends failed alone (<see cref="FailedWrites"/>).
/// Passing failures are retried in place, holding the partition.
/// </remarks>
public sealed class WriteBatchApplier(
    IServiceScopeFactory scopes,
    InPlaceRetry retry,
    FailedWrites failures,
    IOptions<WorkerOptions> options,
    ILogger<WriteBatchApplier> logger)
{
    /// <param name="writes">The writes, in the partition's order; each gets one result, in the same order.</param>
    /// <param name="partition">Their partition.</param>
    /// <param name="cancellationToken">Ends the wait; what committed stays committed.</param>
    /// <param name="spans">Each write's apply span, when tracing: current while that write is applied alone.</param>
    public async Task<IReadOnlyList<ApplyResult>> ApplyAsync(IReadOnlyList<ApplyWrite> writes, int partition, CancellationToken cancellationToken, IReadOnlyList<Activity?>? spans = null)
    {
        var results = new List<ApplyResult>(writes.Count);
        var maxBatch = options.Value.MaxBatchSize;
        var next = 0;
        while (next < writes.Count)
        {
            var end = Math.Min(writes.Count, next + maxBatch);
            var taken = end - next > 1 ? await ApplyBatchAsync(writes, next, end, partition, results, cancellationToken) : 0;
            if (taken < 0)
            {
                for (; next < end; next++)
                {
                    results.Add(await ApplyOneAsync(writes[next], partition, spans?[next], cancellationToken));
                }

                continue;
            }

            next += taken;
            if (next < end)
            {
                // This write needs the database to settle its turn (a conflict, a constraint, a delete): the batch ended before it, and it is a batch of one.
                results.Add(await ApplyOneAsync(writes[next], partition, spans?[next], cancellationToken));
                next++;
            }
        }

        return results;
    }

    /// <summary>Applies a prefix of writes[from..end) in one transaction; how many it took, or -1 to apply them one at a time.</summary>
    async Task<int> ApplyBatchAsync(IReadOnlyList<ApplyWrite> writes, int from, int end, int partition, List<ApplyResult> results, CancellationToken cancellationToken)
    {
        try
        {
            return await retry.RunAsync(
                () => TryBatchAsync(writes, from, end, partition, results, cancellationToken),
                (ex, _) => TransientFailures.Classify(ex) == FailureKind.Transient,
                cancellationToken);
        }
        catch (Exception ex) when (TransientFailures.Classify(ex) is FailureKind.Race or FailureKind.Data || TransientFailures.IsUnexpected(ex))
        {
            // One at a time, a write that cannot be applied ends failed alone and the others are applied.
            logger.LogWarning(ex, "A batch of {Count} writes could not be applied together ({Kind}); applying them one at a time", end - from, TransientFailures.Classify(ex));
            return -1;
        }
    }

    async Task<int> TryBatchAsync(IReadOnlyList<ApplyWrite> writes, int from, int end, int partition, List<ApplyResult> results, CancellationToken cancellationToken)
    {
        var batch = new ApplyWrite[end - from];
        for (var i = from; i < end; i++)
        {
            batch[i - from] = writes[i];
        }

        await using var scope = scopes.CreateAsyncScope();
        var taken = await scope.ServiceProvider.GetRequiredService<WriteApplier>().ApplyAsync(batch, partition, WriteStatus.Queued, cancellationToken);
        results.AddRange(taken);
        return taken.Count;
    }

    /// <summary>
    /// One write alone, a batch of one, under its own span and log scope; a write that can never be
    /// applied (the database refuses it, or it fails every time for a reason of no known kind) ends failed instead of
    /// blocking its key.
    /// </summary>
    async Task<ApplyResult> ApplyOneAsync(ApplyWrite write, int partition, Activity? span, CancellationToken cancellationToken)
    {
        // Only this write's: the change of the current activity ends with this method.
        Activity.Current = span ?? Activity.Current;
        using var scope = logger.BeginWriteScope(write.WriteId, write.Collection, write.Key, partition);
        return await failures.RunAsync(
            write,
            partition,
            async () =>
            {
                await using var scope = scopes.CreateAsyncScope();
                return await scope.ServiceProvider.GetRequiredService<WriteApplier>().ApplyAsync(write, partition, cancellationToken);
            },
            cancellationToken);
    }
}
