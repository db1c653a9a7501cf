using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WritePipeline.Audit;
using WritePipeline.Conflicts;
using WritePipeline.Contracts;
using WritePipeline.Data;
using WritePipeline.Json;
using WritePipeline.Writes;
using WritePipeline.Writes.Status;

namespace WritePipeline.Admin;

/// <summary>
/// What operators do to writes, for the console and the admin API alike: decisions about conflicted writes (through
/// the same <see cref="Decisions"/> and saga as submitters), retry or discard of writes that failed outright, and
/// restoring discarded writes. Every action, taken or not, goes into the audit log with the state before and after;
/// a taken one in the same transaction as the change itself (the saga's, for conflicted writes), so the log never
/// misses an action that happened.
/// </summary>
public sealed class WriteActions(
    WritePipelineDbContext db,
    Decisions decisions,
    WriteStatusQuery statuses,
    WriteDispatcher dispatcher,
    IRequestClient<RestoreConflict> restorer,
    AuditLog audit,
    TimeProvider clock,
    ILogger<WriteActions> logger)
{
    /// <summary>Takes <paramref name="request"/> about a write as <paramref name="actor"/>; <paramref name="note"/> goes into the audit entry.</summary>
    public async Task<DecisionOutcome> DecideAsync(Guid writeId, ResolutionRequest request, string actor, CancellationToken cancellationToken, string? note = null)
    {
        var write = await FindAsync(writeId, cancellationToken);
        if (write is null)
        {
            return new DecisionOutcome.NotFound();
        }

        var action = AuditActions.ForDecision(ResolutionActions.IsKnown(request.Action) ? request.Action! : "unknown");
        if (write.Status == WriteStatus.Failed)
        {
            return await DecideFailedAsync(write, request, action, actor, note, cancellationToken);
        }

        // A decision the saga takes is audited by the saga, in its transaction; here only what it did not take.
        var outcome = await decisions.TakeAsync(write, request, actor, StatusAudience.Operator, cancellationToken, note);
        if (outcome is not DecisionOutcome.Taken)
        {
            await RecordAsync(write, action, outcome, actor, request.Reason, note, request.Action == ResolutionActions.Resubmit ? request.Document?.ToReadableJson() : null);
        }

        return outcome;
    }

    /// <summary>Brings a discarded write back: parked again (its saga decides), or failed again when it never conflicted.</summary>
    public async Task<DecisionOutcome> RestoreAsync(Guid writeId, string actor, CancellationToken cancellationToken)
    {
        var write = await FindAsync(writeId, cancellationToken);
        if (write is null)
        {
            return new DecisionOutcome.NotFound();
        }

        DecisionOutcome outcome;
        var saga = await db.ConflictSagas.AsNoTracking()
            .Where(s => s.CorrelationId == writeId)
            .Select(s => new { s.CurrentState, s.ResolutionAction })
            .SingleOrDefaultAsync(cancellationToken);
        if (ResolutionPolicy.RestoreRefusal(write.Status, saga?.CurrentState, saga?.ResolutionAction) is { } refusal)
        {
            outcome = refusal;
        }
        else if (saga is not null)
        {
            // Audited by the saga when it restores.
            outcome = await RestoreConflictAsync(write, actor, cancellationToken);
            if (outcome is DecisionOutcome.Taken)
            {
                return outcome;
            }
        }
        else
        {
            return await MoveFailedAsync(write, WriteStatus.Discarded, WriteStatus.Failed, null, AuditActions.Restore, actor, null, null, cancellationToken);
        }

        await RecordAsync(write, AuditActions.Restore, outcome, actor, null, null, null);
        return outcome;
    }

    async Task<DecisionOutcome> RestoreConflictAsync(Write write, string actor, CancellationToken cancellationToken)
    {
        try
        {
            var response = await restorer.GetResponse<ResolutionAccepted, ResolutionRefused>(
                new RestoreConflict { WriteId = write.Id, RequestedBy = actor }, cancellationToken);
            return response.Is(out Response<ResolutionRefused>? refused)
                ? new DecisionOutcome.Refused(refused.Message.Status, refused.Message.Reason, refused.Message.RetryAfter)
                : await TakenAsync(write.Id, cancellationToken);
        }
        catch (RequestTimeoutException)
        {
            return new DecisionOutcome.Unanswered();
        }
    }

    /// <summary>
    /// A write that failed outright never reached its record and has no saga: retry puts it back on its partition as
    /// it was accepted (its preconditions are checked again there), discard gives it up.
    /// </summary>
    async Task<DecisionOutcome> DecideFailedAsync(Write write, ResolutionRequest request, string action, string actor, string? note, CancellationToken cancellationToken)
    {
        if (ResolutionPolicy.Check(
                write.Status, write.Operation, write.ErrorType, request.Action, request.Document is not null, request.Reason, StatusAudience.Operator) is { } refusal)
        {
            await RecordAsync(write, action, refusal, actor, request.Reason, note, null);
            return refusal;
        }

        switch (request.Action)
        {
            case ResolutionActions.Retry:
                var outcome = await MoveFailedAsync(write, WriteStatus.Failed, WriteStatus.Queued, null, action, actor, null, note, cancellationToken);
                if (outcome is not DecisionOutcome.Taken)
                {
                    return outcome;
                }

                try
                {
                    await dispatcher.SendAsync(write.ToMessage(), write.Partition);
                    return outcome;
                }
                catch (Exception ex)
                {
                    // Not confirmed by the broker: it stays failed (a copy that did arrive finds it not queued and is skipped).
                    logger.LogWarning(ex, "Retry of failed write {WriteId} could not be put on the broker", write.Id);
                    await db.Writes.Where(w => w.Id == write.Id && w.Status == WriteStatus.Queued).ExecuteUpdateAsync(u => u
                        .SetProperty(w => w.Status, WriteStatus.Failed)
                        .SetProperty(w => w.ErrorType, write.ErrorType)
                        .SetProperty(w => w.ErrorDetail, write.ErrorDetail)
                        .SetProperty(w => w.CompletedAt, write.CompletedAt), CancellationToken.None);
                    var unanswered = new DecisionOutcome.Unanswered();
                    await RecordAsync(write, action, unanswered, actor, null, "The retry could not be put on the broker; the write stays failed.", null);
                    return unanswered;
                }

            default:
                return await MoveFailedAsync(write, WriteStatus.Failed, WriteStatus.Discarded, clock.GetUtcNow(), action, actor, request.Reason, note, cancellationToken);
        }
    }

    /// <summary>Moves a write that has no saga from one status to another, with its audit entry in the same transaction.</summary>
    async Task<DecisionOutcome> MoveFailedAsync(
        Write write, string from, string to, DateTimeOffset? completedAt, string action, string actor, string? reason, string? note, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var moved = await db.Writes.Where(w => w.Id == write.Id && w.Status == from).ExecuteUpdateAsync(
            u => u.SetProperty(w => w.Status, to).SetProperty(w => w.CompletedAt, completedAt), cancellationToken);
        if (moved == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            var refused = new DecisionOutcome.Refused(from, ResolutionPolicy.WriteChanged);
            await RecordAsync(write, action, refused, actor, reason, note, null);
            return refused;
        }

        audit.Add(AuditEntries.ForWrite(write, write.Status, action, AuditOutcomes.Taken, actor, reason, note, to, null));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await TakenAsync(write.Id, cancellationToken);
    }

    async Task<DecisionOutcome> TakenAsync(Guid writeId, CancellationToken cancellationToken) =>
        new DecisionOutcome.Taken((await statuses.ReadAsync(writeId, null, cancellationToken))!);

    Task<Write?> FindAsync(Guid writeId, CancellationToken cancellationToken) =>
        db.Writes.AsNoTracking().SingleOrDefaultAsync(w => w.Id == writeId && w.Status != WriteStatus.Rejected, cancellationToken);

    /// <summary>An action that changed nothing (refused, invalid, unanswered): recorded on its own, even when the caller has gone.</summary>
    Task RecordAsync(Write write, string action, DecisionOutcome outcome, string actor, string? reason, string? note, string? documentAfter) =>
        audit.RecordAsync(
            AuditEntries.ForWrite(
                write,
                write.Status,
                action,
                outcome switch
                {
                    DecisionOutcome.Invalid => AuditOutcomes.Invalid,
                    DecisionOutcome.Unanswered => AuditOutcomes.Unanswered,
                    _ => AuditOutcomes.Refused,
                },
                actor,
                reason,
                outcome switch
                {
                    DecisionOutcome.Invalid invalid => invalid.Detail,
                    DecisionOutcome.Refused refused => refused.Reason,
                    _ => note,
                },
                write.Status,
                documentAfter),
            CancellationToken.None);
}
