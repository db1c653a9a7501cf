using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WritePipeline.Conflicts;
using WritePipeline.Data;
using WritePipeline.Writes;

namespace WritePipeline.Admin;

/// <summary>A bulk action as lists and its progress page show it.</summary>
public sealed record BulkActionView(
    Guid Id, string Actor, string Action, string Scope, string State, int Total, int Done, int Taken, int Refused,
    IReadOnlyList<BulkItemOutcome> Problems, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt)
{
    public const string Running = "running";
    public const string Finished = "finished";

    /// <summary>Its process stopped before it finished (no progress for a while): a running API process resumes it.</summary>
    public const string Interrupted = "interrupted";

    public static BulkActionView For(BulkAction bulk, DateTimeOffset now, TimeSpan resumeAfter) => new(
        bulk.Id, bulk.Actor, bulk.Action, bulk.Scope,
        bulk.FinishedAt is not null ? Finished : now - bulk.UpdatedAt > resumeAfter ? Interrupted : Running,
        bulk.Total, bulk.Done, bulk.Taken, bulk.Refused,
        bulk.ReadProblems(),
        bulk.StartedAt, bulk.FinishedAt);
}

/// <summary>What an operator asks to do in bulk.</summary>
public sealed record BulkActionRequest
{
    /// <summary>A decision (retry, rebase, overwrite, discard) or <c>restore</c>. Resubmit is one write at a time.</summary>
    public string? Action { get; init; }

    public string? Reason { get; init; }

    /// <summary>The writes to act on; or, instead, a group.</summary>
    public IReadOnlyList<Guid>? WriteIds { get; init; }

    public string? Collection { get; init; }

    public string? Kind { get; init; }
}

public abstract record BulkStart
{
    BulkStart()
    {
    }

    public sealed record Started(BulkActionView Bulk) : BulkStart;

    public sealed record Invalid(string Detail) : BulkStart;
}

/// <summary>
/// Starts bulk actions and reports their progress. The writes are acted on one after another, each through
/// <see cref="WriteActions"/> (and so audited one by one), in the order they were submitted: decisions about writes
/// of one key reach its partition, and are applied, in their original order.
/// </summary>
public sealed class BulkActions(WritePipelineDbContext db, BulkActionRunner runner, TimeProvider clock, IOptions<BulkActionOptions> options)
{
    public const string Restore = ResolutionPolicy.Restore;
    public const int MaxWrites = 10_000;

    public async Task<BulkStart> StartAsync(BulkActionRequest request, string actor, CancellationToken cancellationToken)
    {
        if (ResolutionPolicy.BulkInvalid(request.Action, request.Reason) is { } problem)
        {
            return new BulkStart.Invalid(problem);
        }

        var byGroup = request.Collection is not null;
        if (byGroup == request.WriteIds is { Count: > 0 })
        {
            return new BulkStart.Invalid("Name either 'writeIds' or a group ('collection', optionally 'kind'), not both.");
        }

        var query = db.Writes.AsNoTracking().Where(w => w.Status != WriteStatus.Rejected);
        if (byGroup)
        {
            var statuses = request.Action == Restore ? [WriteStatus.Discarded] : ParkedWrites.WaitingStatuses;
            query = query.Where(w => w.Collection == request.Collection && statuses.Contains(w.Status));
            if (request.Kind is { } kind)
            {
                query = query.Where(w => w.ErrorType == kind);
            }
        }
        else
        {
            if (request.WriteIds!.Count > MaxWrites)
            {
                return new BulkStart.Invalid($"At most {MaxWrites} writes at once.");
            }

            var ids = request.WriteIds.ToArray();
            query = query.Where(w => ids.Contains(w.Id));
        }

        // Original order: a key's writes are decided, and so applied, in the order they were submitted.
        var writeIds = await query.OrderBy(w => w.SubmittedAt).ThenBy(w => w.Id).Select(w => w.Id).Take(MaxWrites).ToListAsync(cancellationToken);
        if (!byGroup)
        {
            // A selected write that no longer exists (purged from the archive meanwhile) is reported as not found,
            // last, rather than left out of the count without a word.
            writeIds.AddRange(request.WriteIds!.Distinct().Except(writeIds));
        }

        // A group larger than one run: say so, and leave the rest for the next run (they are still waiting).
        var beyond = byGroup && writeIds.Count == MaxWrites ? await query.CountAsync(cancellationToken) - MaxWrites : 0;
        var now = clock.GetUtcNow();
        var bulk = new BulkAction
        {
            Id = Guid.CreateVersion7(),
            Actor = actor,
            Action = request.Action!,
            Reason = request.Reason,
            Scope = byGroup
                ? $"group {request.Collection} / {request.Kind ?? "any kind"}" + (beyond > 0 ? $" (the oldest {MaxWrites}; {beyond} more left for another run)" : string.Empty)
                : $"{request.WriteIds!.Count} selected write(s)",
            WriteIds = JsonSerializer.Serialize(writeIds),
            Total = writeIds.Count,
            StartedAt = now,
            UpdatedAt = now,
            FinishedAt = writeIds.Count == 0 ? now : null,
        };
        db.BulkActions.Add(bulk);
        await db.SaveChangesAsync(cancellationToken);
        if (writeIds.Count > 0)
        {
            runner.Enqueue(bulk.Id);
        }

        return new BulkStart.Started(BulkActionView.For(bulk, now, options.Value.ResumeAfter));
    }

    public async Task<BulkActionView?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        await db.BulkActions.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, cancellationToken) is { } bulk
            ? BulkActionView.For(bulk, clock.GetUtcNow(), options.Value.ResumeAfter)
            : null;

    public async Task<IReadOnlyList<BulkActionView>> RecentAsync(int count, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return [.. (await db.BulkActions.AsNoTracking().OrderByDescending(b => b.StartedAt).Take(count).ToListAsync(cancellationToken))
            .Select(b => BulkActionView.For(b, now, options.Value.ResumeAfter))];
    }
}
