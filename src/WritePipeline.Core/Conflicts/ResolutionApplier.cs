using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WritePipeline.Contracts;
using WritePipeline.Data;
using WritePipeline.Writes;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Conflicts;

/// <summary>
/// Carries out a decision about a conflicted write on its key's partition, in the key's place in the partition's
/// order, then releases the writes held behind it, in their order, before the partition goes on to any newer write
/// of the key. Each step is handed over (<see cref="ConflictHandover"/>) once it has committed.
/// </summary>
public sealed class ResolutionApplier(
    IServiceScopeFactory scopes,
    ConflictHandover handover,
    FailedWrites failures,
    InPlaceRetry retry,
    Collections.CollectionCatalog collections,
    Telemetry.PipelineMeter meter,
    TimeProvider clock,
    ILogger<ResolutionApplier> logger)
{
    public async Task CarryOutAsync(ApplyResolution message, int partition, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginWriteScope(message.WriteId, message.Collection, message.Key, partition);
        // A decision that can never be carried out (what it would store is refused, e.g. an edited document too large
        // for a column; or it fails every time): the write ends failed, where an operator finds it, its saga hears so,
        // and the writes held behind it are released.
        var result = await failures.RunAsync(
            message.WriteId,
            WriteStatus.Resolving,
            async () =>
            {
                await using var services = scopes.CreateAsyncScope();
                return await ResolveAsync(services.ServiceProvider, message, partition, cancellationToken);
            },
            cancellationToken);

        meter.Outcome(result, clock.GetUtcNow(), inTurn: false);
        await retry.RunAsync(() => handover.SendAsync(result, cancellationToken), InPlaceRetry.UntilSent, cancellationToken);
        await retry.RunAsync(() => handover.SendResolvedAsync(message, result, cancellationToken), InPlaceRetry.UntilSent, cancellationToken);
        logger.LogInformation("Decision {Action} carried out: {Outcome}", message.Action, result.Outcome);

        await ReleaseHeldWritesAsync(message.Collection, message.Key, partition, cancellationToken);
    }

    static async Task<ApplyResult> ResolveAsync(IServiceProvider services, ApplyResolution message, int partition, CancellationToken cancellationToken)
    {
        var applier = services.GetRequiredService<WriteApplier>();
        var db = services.GetRequiredService<WritePipelineDbContext>();
        // A copy of an earlier decision (the sweeper sends a decision again when it seems lost) may arrive once that
        // decision conflicted again and a newer one was taken: the saga holds the decision the write is resolving for,
        // set in the transaction that made it 'resolving', and only this partition moves the write on from there.
        var taken = await db.ConflictSagas.AsNoTracking().Where(s => s.CorrelationId == message.WriteId).Select(s => s.ResolutionId).SingleOrDefaultAsync(cancellationToken);
        if (taken != message.ResolutionId)
        {
            return new ApplyResult(ApplyOutcome.Skipped, null);
        }

        if (message.Action == ResolutionActions.Discard)
        {
            return await applier.DiscardAsync(message.WriteId, cancellationToken);
        }

        if (await db.Writes.AsNoTracking().SingleOrDefaultAsync(w => w.Id == message.WriteId, cancellationToken) is not { } write)
        {
            // Its row is gone (removed by hand): there is nothing left to decide about.
            return new ApplyResult(ApplyOutcome.Skipped, null);
        }

        var conflict = await db.WriteConflicts.AsNoTracking().SingleOrDefaultAsync(c => c.WriteId == message.WriteId, cancellationToken);
        var decided = ResolutionRules.WriteFor(write, conflict, message.Action, message.Body);
        return await applier.ApplyAsync(decided, partition, WriteStatus.Resolving, cancellationToken);
    }

    /// <summary>
    /// Applies the key's held writes in order, in the key's turn, until none is left or one conflicts in a collection
    /// that holds on conflict, or waits for a reference: that one then holds the rest.
    /// </summary>
    public async Task ReleaseHeldWritesAsync(string collection, string key, int partition, CancellationToken cancellationToken)
    {
        while (true)
        {
            Write? next;
            await using (var scope = scopes.CreateAsyncScope())
            {
                next = await scope.ServiceProvider.GetRequiredService<WriteApplier>().NextReleasedAsync(collection, key, cancellationToken);
            }

            if (next is null)
            {
                return;
            }

            // Lines about the released write carry its own id (the decision's is the scope's outside).
            using var heldScope = logger.BeginWriteScope(next.Id, next.Collection, next.Key, partition);
            var result = await failures.RunAsync(
                next.Id,
                WriteStatus.Held,
                async () =>
                {
                    await using var scope = scopes.CreateAsyncScope();
                    return await scope.ServiceProvider.GetRequiredService<WriteApplier>().ApplyAsync(next.ToMessage(), partition, WriteStatus.Held, cancellationToken);
                },
                cancellationToken);

            meter.Outcome(result, clock.GetUtcNow(), inTurn: false);
            await retry.RunAsync(() => handover.SendAsync(result, cancellationToken), InPlaceRetry.UntilSent, cancellationToken);
            logger.LogInformation("Held write {HeldWriteId} released: {Outcome}", next.Id, result.Outcome);
            if (result.Outcome == ApplyOutcome.Waiting || (result.Outcome == ApplyOutcome.Conflicted && collections.HoldsOnConflict(collection)))
            {
                return;
            }
        }
    }
}
