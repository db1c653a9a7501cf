using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WritePipeline.Audit;
using WritePipeline.Conflicts;
using WritePipeline.Contracts;
using WritePipeline.Data;
using WritePipeline.Writes;

namespace WritePipeline.Admin;

/// <summary>
/// What operators do to writes, for the console and the admin API alike: decisions about conflicted writes (through
/// the same <see cref="Decisions"/> and saga as submitters), retry or discard of writes that failed outright, and
/// restoring discarded writes. Every action, taken or not, goes into the audit log with the state before and after.
/// </summary>
public sealed class WriteActions(
    WritePipelineDbContext db,
    Decisions decisions,
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

        var outcome = write.Status == WriteStatus.Failed
            ? await DecideFailedAsync(write, request, cancellationToken)
            : await decisions.TakeAsync(write, request, actor, cancellationToken);
        await AuditAsync(write, AuditActions.ForDecision(ResolutionActions.IsKnown(request.Action) ? request.Action! : "unknown"), outcome, actor, request.Reason, note,
            after: request.Action == ResolutionActions.Resubmit ? State(StatusAfter(outcome, write), request.Document?.ToJsonString()) : State(StatusAfter(outcome, write), null),
            cancellationToken);
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
        if (write.Status != WriteStatus.Discarded)
        {
            outcome = new DecisionOutcome.Refused(write.Status, "Only a discarded write can be restored.");
        }
        else if (await db.ConflictSagas.AnyAsync(s => s.CorrelationId == writeId, cancellationToken))
        {
            outcome = await RestoreConflictAsync(write, actor, cancellationToken);
        }
        else
        {
            var moved = await db.Writes.Where(w => w.Id == writeId && w.Status == WriteStatus.Discarded)
                .ExecuteUpdateAsync(u => u.SetProperty(w => w.Status, WriteStatus.Failed).SetProperty(w => w.CompletedAt, (DateTimeOffset?)null), cancellationToken);
            outcome = moved == 1 ? await TakenAsync(writeId, cancellationToken) : new DecisionOutcome.Refused(WriteStatus.Discarded, "The write changed meanwhile; read it again.");
        }

        await AuditAsync(write, AuditActions.Restore, outcome, actor, null, null, State(StatusAfter(outcome, write), null), cancellationToken);
        return outcome;
    }

    async Task<DecisionOutcome> RestoreConflictAsync(Write write, string actor, CancellationToken cancellationToken)
    {
        try
        {
            var response = await restorer.GetResponse<ResolutionAccepted, ResolutionRefused>(
                new RestoreConflict { WriteId = write.Id, RequestedBy = actor }, cancellationToken);
            return response.Is(out Response<ResolutionRefused>? refused)
                ? new DecisionOutcome.Refused(refused.Message.Status, refused.Message.Reason)
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
    async Task<DecisionOutcome> DecideFailedAsync(Write write, ResolutionRequest request, CancellationToken cancellationToken)
    {
        switch (request.Action)
        {
            case ResolutionActions.Retry:
                if (await MoveFailedAsync(write.Id, WriteStatus.Queued, null, cancellationToken) == 0)
                {
                    return new DecisionOutcome.Refused(WriteStatus.Failed, "The write changed meanwhile; read it again.");
                }

                try
                {
                    await dispatcher.SendAsync(write.ToMessage(), write.Partition);
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
                    return new DecisionOutcome.Unanswered();
                }

                return await TakenAsync(write.Id, cancellationToken);
            case ResolutionActions.Discard when string.IsNullOrWhiteSpace(request.Reason):
                return new DecisionOutcome.Invalid("discard needs a 'reason'.");
            case ResolutionActions.Discard when request.Reason.Length > Decisions.MaxReasonLength:
                return new DecisionOutcome.Invalid($"The reason is limited to {Decisions.MaxReasonLength} characters.");
            case ResolutionActions.Discard:
                return await MoveFailedAsync(write.Id, WriteStatus.Discarded, clock.GetUtcNow(), cancellationToken) == 1
                    ? await TakenAsync(write.Id, cancellationToken)
                    : new DecisionOutcome.Refused(WriteStatus.Failed, "The write changed meanwhile; read it again.");
            case null:
            case var unknown when !ResolutionActions.IsKnown(unknown):
                return new DecisionOutcome.Invalid("Name an action: " + string.Join(", ", ResolutionActions.All) + ".");
            default:
                return new DecisionOutcome.Refused(WriteStatus.Failed, "A write that failed outright never reached its record: it can only be retried or discarded.");
        }
    }

    Task<int> MoveFailedAsync(Guid writeId, string to, DateTimeOffset? completedAt, CancellationToken cancellationToken) =>
        db.Writes.Where(w => w.Id == writeId && w.Status == WriteStatus.Failed).ExecuteUpdateAsync(u => u
            .SetProperty(w => w.Status, to)
            .SetProperty(w => w.CompletedAt, completedAt), cancellationToken);

    async Task<DecisionOutcome> TakenAsync(Guid writeId, CancellationToken cancellationToken) =>
        new DecisionOutcome.Taken((await WritesApi.ReadStatusAsync(db, writeId, null, cancellationToken))!);

    Task<Write?> FindAsync(Guid writeId, CancellationToken cancellationToken) =>
        db.Writes.AsNoTracking().SingleOrDefaultAsync(w => w.Id == writeId && w.Status != WriteStatus.Rejected, cancellationToken);

    static string StatusAfter(DecisionOutcome outcome, Write write) => outcome is DecisionOutcome.Taken taken ? taken.Status.Status : write.Status;

    static string State(string status, string? document) =>
        new JsonObject { ["status"] = status, ["document"] = document is null ? null : JsonNode.Parse(document) }.ToJsonString();

    Task AuditAsync(Write write, string action, DecisionOutcome outcome, string actor, string? reason, string? note, string after, CancellationToken cancellationToken) =>
        audit.RecordAsync(
            new AuditEntry
            {
                Actor = actor,
                Action = action,
                WriteId = write.Id,
                Subject = $"{write.Collection}/{write.Key}",
                Outcome = outcome switch
                {
                    DecisionOutcome.Taken => AuditOutcomes.Taken,
                    DecisionOutcome.Invalid => AuditOutcomes.Invalid,
                    DecisionOutcome.Unanswered => AuditOutcomes.Unanswered,
                    _ => AuditOutcomes.Refused,
                },
                Detail = outcome switch
                {
                    DecisionOutcome.Invalid invalid => invalid.Detail,
                    DecisionOutcome.Refused refused => refused.Reason,
                    _ => note,
                },
                Reason = reason,
                Before = State(write.Status, write.Body),
                After = after,
            },
            // Recorded even when the caller has gone: the action itself may have been taken.
            CancellationToken.None);
}
