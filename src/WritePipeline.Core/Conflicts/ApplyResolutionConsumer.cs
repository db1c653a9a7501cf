using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WritePipeline.Contracts;
using WritePipeline.Data;
using WritePipeline.Partitioning;
using WritePipeline.Writes;

namespace WritePipeline.Conflicts;

/// <summary>
/// Carries out a decision about a conflicted write on its key's partition, in the key's turn, then releases the
/// writes held behind it, in their order, before the partition goes on to any newer write of the key.
/// </summary>
public sealed class ApplyResolutionConsumer(PartitionWork work, IServiceScopeFactory scopes, ILogger<ApplyResolutionConsumer> logger) : IConsumer<ApplyResolution>
{
    public Task Consume(ConsumeContext<ApplyResolution> context)
    {
        var message = context.Message;
        return work.RunAsync(context, message.WriteId, message.Collection, message.Key, async (services, partition) =>
        {
            var result = await ResolveAsync(services, message, partition, context.CancellationToken);
            await ConflictHandover.SendAsync(context, result);
            await ConflictHandover.SendResolvedAsync(context, message, result);
            logger.LogInformation("Decision {Action} carried out: {Outcome}", message.Action, result.Outcome);

            await ReleaseHeldWritesAsync(context, message, partition);
        });
    }

    static async Task<ApplyResult> ResolveAsync(IServiceProvider services, ApplyResolution message, int partition, CancellationToken cancellationToken)
    {
        var applier = services.GetRequiredService<WriteApplier>();
        if (message.Action == ResolutionActions.Discard)
        {
            return await applier.DiscardAsync(message.WriteId, cancellationToken);
        }

        var db = services.GetRequiredService<WritePipelineDbContext>();
        var write = await db.Writes.AsNoTracking().SingleAsync(w => w.Id == message.WriteId, cancellationToken);
        var conflict = await db.WriteConflicts.AsNoTracking().SingleOrDefaultAsync(c => c.WriteId == message.WriteId, cancellationToken);
        var decided = ResolutionRules.WriteFor(write, conflict, message.Action, message.Body);
        return await applier.ApplyAsync(decided, partition, WriteStatus.Resolving, cancellationToken);
    }

    /// <summary>Applies the key's held writes in order until none is left or one conflicts (it then holds the rest).</summary>
    async Task ReleaseHeldWritesAsync(ConsumeContext context, ApplyResolution message, int partition)
    {
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var applier = scope.ServiceProvider.GetRequiredService<WriteApplier>();
            var next = await applier.NextReleasedAsync(message.Collection, message.Key, context.CancellationToken);
            if (next is null)
            {
                return;
            }

            var result = await applier.ApplyAsync(next.ToMessage(), partition, WriteStatus.Held, context.CancellationToken);
            await ConflictHandover.SendAsync(context, result);
            logger.LogInformation("Held write {HeldWriteId} released: {Outcome}", next.Id, result.Outcome);
            if (result.Outcome == ApplyOutcome.Conflicted)
            {
                return;
            }
        }
    }
}
