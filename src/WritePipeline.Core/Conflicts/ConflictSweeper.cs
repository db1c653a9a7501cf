using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;
using WritePipeline.Conflicts.SagaActivities;
using WritePipeline.Contracts;
using WritePipeline.Data;
using WritePipeline.Messaging;
using WritePipeline.Writes;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Conflicts;

/// <summary>What one sweep sent again.</summary>
public sealed record SweepResult(int HandedOver, int Finished, int DeadlinesDue, int DecisionsResent);

/// <summary>
/// The safety net of the conflict sagas: finds the conflicts whose next step was lost (its message never reached the
/// saga) and sends that message again, once the step has been in flight longer than <see cref="SweeperOptions.HandoverAfter"/>:
/// <list type="bullet">
/// <item>a <c>conflicted</c> write whose conflict no saga took (no saga, or a saga that holds an earlier conflict):
/// <c>WriteConflicted</c> again, with the conflict's identity;</item>
/// <item>a saga still <c>Resolving</c> whose write is already applied, discarded or failed: <c>WriteResolved</c> again;</item>
/// <item>a saga still <c>Resolving</c> whose write is still <c>resolving</c> that long after the decision was taken (the
/// worker died, or its bus stopped, between the saga's commit and the send; the request has expired, so nothing
/// redelivers it): the decision's <c>ApplyResolution</c> again, to the key's partition, built from the saga;</item>
/// <item>a saga still <c>Notified</c> past its decision deadline (the timer's message was lost): the deadline again.</item>
/// </list>
/// Every message it sends is one the saga, or the partition, recognises when it is a repeat (a decision the partition
/// finds carried out, or superseded by a newer one, changes nothing), so a sweep is idempotent, and two sweeps at
/// once (several workers, a sweep racing the original message) change nothing twice.
/// </summary>
public sealed class ConflictSweeper(
    WritePipelineDbContext db, IBus bus, DecisionDispatch decisions, IOptions<SweeperOptions> options, TimeProvider clock, ILogger<ConflictSweeper> logger)
{
    /// <summary>Most of each kind sent again per sweep; the rest waits for the next one.</summary>
    const int Batch = 500;

    public async Task<SweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - options.Value.HandoverAfter;
        return new SweepResult(
            await HandOverAgainAsync(cutoff, cancellationToken),
            await FinishResolvedAsync(cutoff, cancellationToken),
            await RepeatDeadlinesAsync(cutoff, cancellationToken),
            await ResendDecisionsAsync(cutoff, cancellationToken));
    }

    async Task<int> HandOverAgainAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var lost = await (
                from write in db.Writes.AsNoTracking()
                join conflict in db.WriteConflicts.AsNoTracking() on write.Id equals conflict.WriteId
                join saga in db.ConflictSagas.AsNoTracking() on write.Id equals saga.CorrelationId into sagas
                from saga in sagas.DefaultIfEmpty()
                where write.Status == WriteStatus.Conflicted && conflict.DetectedAt < cutoff
                    && (saga == null || saga.ConflictId != conflict.ConflictId)
                orderby conflict.DetectedAt
                select new { Write = write, Conflict = conflict })
            .Take(Batch)
            .ToListAsync(cancellationToken);
        foreach (var (write, conflict) in lost.Select(l => (l.Write, l.Conflict)))
        {
            logger.LogWarning("Write {WriteId} to {Collection}/{Key} has been conflicted since {DetectedAt} without its saga taking the conflict; handing it over again", write.Id, write.Collection, write.Key, conflict.DetectedAt);
            await bus.SendMandatoryAsync(ConflictSagaDefinition.SendAddress, ConflictHandover.Conflicted(write, conflict), cancellationToken);
        }

        return lost.Count;
    }

    async Task<int> FinishResolvedAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var done = await (
                from pair in ResolvingSagas()
                let write = pair.Write
                where (write.Status == WriteStatus.Applied || write.Status == WriteStatus.Discarded || write.Status == WriteStatus.Failed) && write.CompletedAt < cutoff
                orderby write.CompletedAt
                select new { write.Id, write.Collection, write.Key, write.Status, write.Version, pair.Saga.ResolutionId })
            .Take(Batch)
            .ToListAsync(cancellationToken);
        foreach (var write in done)
        {
            logger.LogWarning("Write {WriteId} to {Collection}/{Key} is {Status} but its saga is still resolving; telling it again", write.Id, write.Collection, write.Key, write.Status);
            await bus.SendMandatoryAsync(
                ConflictSagaDefinition.SendAddress,
                new WriteResolved { WriteId = write.Id, ResolutionId = write.ResolutionId!.Value, Status = write.Status, Version = write.Version },
                cancellationToken);
        }

        return done.Count;
    }

    async Task<int> ResendDecisionsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var lost = await (
                from pair in ResolvingSagas()
                where pair.Write.Status == WriteStatus.Resolving && pair.Saga.ResolutionRequestedAt < cutoff
                orderby pair.Saga.ResolutionRequestedAt
                select pair.Saga)
            .Take(Batch)
            .ToListAsync(cancellationToken);
        var sent = 0;
        foreach (var saga in lost)
        {
            if (saga.ResolutionAction == ResolutionActions.Resubmit && saga.ResolutionBody is null)
            {
                // Taken before sagas kept the resubmitted body: only a person can give it again.
                logger.LogWarning("Write {WriteId} to {Collection}/{Key} has been resolving since {RequestedAt}, but its saga does not hold the resubmitted document; an operator must decide again", saga.CorrelationId, saga.Collection, saga.Key, saga.ResolutionRequestedAt);
                continue;
            }

            logger.LogWarning("Write {WriteId} to {Collection}/{Key} has been resolving since {RequestedAt} ({Action}); sending the decision to its partition again", saga.CorrelationId, saga.Collection, saga.Key, saga.ResolutionRequestedAt, saga.ResolutionAction);
            await decisions.SendAgainAsync(saga, cancellationToken);
            sent++;
        }

        return sent;
    }

    /// <summary>The sagas carrying out a decision, each with its write.</summary>
    IQueryable<SagaAndWrite> ResolvingSagas()
    {
        var resolving = nameof(ConflictStateMachine.Resolving);
        return from saga in db.ConflictSagas.AsNoTracking()
               join write in db.Writes.AsNoTracking() on saga.CorrelationId equals write.Id
               where saga.CurrentState == resolving && saga.ResolutionId != null
               select new SagaAndWrite { Saga = saga, Write = write };
    }

    sealed class SagaAndWrite
    {
        public required ConflictState Saga { get; init; }

        public required Write Write { get; init; }
    }

    async Task<int> RepeatDeadlinesAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var notified = nameof(ConflictStateMachine.Notified);
        var overdue = await db.ConflictSagas.AsNoTracking()
            .Where(s => s.CurrentState == notified && s.DecisionDeadline < cutoff)
            .OrderBy(s => s.DecisionDeadline)
            .Select(s => new { s.CorrelationId, s.Conflicts, s.Collection, s.Key })
            .Take(Batch)
            .ToListAsync(cancellationToken);
        foreach (var saga in overdue)
        {
            logger.LogWarning("Write {WriteId} to {Collection}/{Key} is notified past its decision deadline; sending the deadline again", saga.CorrelationId, saga.Collection, saga.Key);
            await bus.SendMandatoryAsync(ConflictSagaDefinition.SendAddress, new ConflictDecisionDue { WriteId = saga.CorrelationId, Conflict = saga.Conflicts }, cancellationToken);
        }

        return overdue.Count;
    }
}

/// <summary>Runs the <see cref="ConflictSweeper"/> every <see cref="SweeperOptions.Interval"/>, on one worker at a time.</summary>
[DisallowConcurrentExecution]
public sealed class ConflictSweepJob(IServiceScopeFactory scopes) : IJob
{
    public const string Name = "conflict-sweeper";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        // A sweep that fails (database or broker away) is simply the next one's to do: nothing it sends is lost by waiting.
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ConflictSweeper>().SweepAsync(cancellationToken);
    }
}
