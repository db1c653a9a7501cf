using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Conflicts;
using WritePipeline.Contracts;
using WritePipeline.Data;
using WritePipeline.Writes;

namespace WritePipeline.Admin;

/// <summary>One action taken on many writes (a selection, or every write of a group), with its progress.</summary>
public sealed class BulkAction
{
    public Guid Id { get; set; }

    public required string Actor { get; set; }

    /// <summary>A decision (<see cref="ResolutionActions"/>) or <c>restore</c>.</summary>
    public required string Action { get; set; }

    public string? Reason { get; set; }

    /// <summary>What was selected, readable: "3 selected writes", "group orders / version_mismatch".</summary>
    public required string Scope { get; set; }

    /// <summary>JSON array of the write ids, in the order they are acted on (per key, the order they were submitted).</summary>
    public required string WriteIds { get; set; }

    public int Total { get; set; }

    public int Done { get; set; }

    public int Taken { get; set; }

    public int Refused { get; set; }

    /// <summary>JSON array of <see cref="BulkItemOutcome"/> for the writes that were not taken.</summary>
    public string? Problems { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}

public sealed record BulkItemOutcome(Guid WriteId, string Outcome, string Detail);

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
        bulk.Problems is null ? [] : JsonSerializer.Deserialize<List<BulkItemOutcome>>(bulk.Problems, JsonSerializerOptions.Web) ?? [],
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
    private BulkStart()
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
public sealed class BulkActions(WritePipelineDbContext db, BulkActionRunner runner, TimeProvider clock, IOptions<WritePipelineOptions> options)
{
    public const string Restore = "restore";
    public const int MaxWrites = 10_000;

    public async Task<BulkStart> StartAsync(BulkActionRequest request, string actor, CancellationToken cancellationToken)
    {
        if (request.Action is not (ResolutionActions.Retry or ResolutionActions.Rebase or ResolutionActions.Overwrite or ResolutionActions.Discard or Restore))
        {
            return new BulkStart.Invalid("Name an action: retry, rebase, overwrite, discard or restore (resubmit is one write at a time).");
        }

        if (Decisions.ReasonRefusal(request.Action, request.Reason) is { } problem)
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
            Action = request.Action,
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

        return new BulkStart.Started(BulkActionView.For(bulk, now, options.Value.BulkActions.ResumeAfter));
    }

    public async Task<BulkActionView?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        await db.BulkActions.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, cancellationToken) is { } bulk
            ? BulkActionView.For(bulk, clock.GetUtcNow(), options.Value.BulkActions.ResumeAfter)
            : null;

    public async Task<IReadOnlyList<BulkActionView>> RecentAsync(int count, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return [.. (await db.BulkActions.AsNoTracking().OrderByDescending(b => b.StartedAt).Take(count).ToListAsync(cancellationToken))
            .Select(b => BulkActionView.For(b, now, options.Value.BulkActions.ResumeAfter))];
    }
}

/// <summary>
/// Runs bulk actions in the background of an API process, each as soon as it is started (a run never waits behind
/// another), recording progress after each write so the progress page can follow. A run whose process went away
/// (no progress for <see cref="BulkActionOptions.ResumeAfter"/>) is claimed by one running API process, by a
/// conditional update, and resumed where it stopped.
/// </summary>
public sealed class BulkActionRunner(IServiceScopeFactory scopes, TimeProvider clock, IOptions<WritePipelineOptions> options, ILogger<BulkActionRunner> logger)
    : BackgroundService
{
    readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>();

    public void Enqueue(Guid bulkId) => _queue.Writer.TryWrite(bulkId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task> { ResumeStalledRunsAsync(stoppingToken) };
        try
        {
            await foreach (var bulkId in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                running.RemoveAll(run => run.IsCompleted);
                running.Add(RunSafelyAsync(bulkId, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: runs in progress end at their next write and are resumed by another process.
        }
        finally
        {
            await Task.WhenAll(running);
        }
    }

    async Task ResumeStalledRunsAsync(CancellationToken stoppingToken)
    {
        var resumeAfter = options.Value.BulkActions.ResumeAfter;
        using var timer = new PeriodicTimer(resumeAfter / 2, clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
                var now = clock.GetUtcNow();
                var stalledBefore = now - resumeAfter;
                var stalled = await db.BulkActions.AsNoTracking().Where(b => b.FinishedAt == null && b.UpdatedAt < stalledBefore)
                    .Select(b => b.Id).Take(20).ToListAsync(stoppingToken);
                foreach (var bulkId in stalled)
                {
                    // Several API processes look at once: the one whose update still finds the run stalled takes it.
                    if (await db.BulkActions.Where(b => b.Id == bulkId && b.FinishedAt == null && b.UpdatedAt < stalledBefore)
                            .ExecuteUpdateAsync(set => set.SetProperty(b => b.UpdatedAt, now), stoppingToken) == 1)
                    {
                        logger.LogWarning("Bulk action {BulkId} made no progress for {ResumeAfter}; resuming it here", bulkId, resumeAfter);
                        Enqueue(bulkId);
                    }
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Could not look for stalled bulk actions; trying again later");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    async Task RunSafelyAsync(Guid bulkId, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await RunAsync(bulkId, stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogError(ex, "Bulk action {BulkId} stopped", bulkId);
        }
        catch (OperationCanceledException)
        {
            // The process is stopping: the run stalls, and a running API process resumes it.
        }
    }

    async Task RunAsync(Guid bulkId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
        var actions = scope.ServiceProvider.GetRequiredService<WriteActions>();
        var bulk = await db.BulkActions.SingleAsync(b => b.Id == bulkId, cancellationToken);
        var writeIds = JsonSerializer.Deserialize<List<Guid>>(bulk.WriteIds)!;
        var problems = new List<BulkItemOutcome>();
        var note = $"bulk {bulk.Id}";
        foreach (var writeId in writeIds.Skip(bulk.Done))
        {
            var outcome = bulk.Action == BulkActions.Restore
                ? await actions.RestoreAsync(writeId, bulk.Actor, cancellationToken)
                : await actions.DecideAsync(writeId, new ResolutionRequest(bulk.Action, null, bulk.Reason), bulk.Actor, cancellationToken, note);
            bulk.Done++;
            if (outcome is DecisionOutcome.Taken)
            {
                bulk.Taken++;
            }
            else
            {
                bulk.Refused++;
                problems.Add(new BulkItemOutcome(writeId, Describe(outcome).Outcome, Describe(outcome).Detail));
                bulk.Problems = JsonSerializer.Serialize(problems, JsonSerializerOptions.Web);
            }

            bulk.UpdatedAt = clock.GetUtcNow();
            bulk.FinishedAt = bulk.Done == bulk.Total ? bulk.UpdatedAt : null;
            await db.SaveChangesAsync(cancellationToken);
            // One context serves the whole run: forget what each write's action tracked (its audit entry), keep the run.
            db.ChangeTracker.Clear();
            db.Attach(bulk);
        }

        logger.LogInformation("Bulk action {BulkId} ({Action}) finished: {Taken} taken, {Refused} not", bulk.Id, bulk.Action, bulk.Taken, bulk.Refused);
    }

    static (string Outcome, string Detail) Describe(DecisionOutcome outcome) => outcome switch
    {
        DecisionOutcome.Refused refused => ("refused", $"{refused.Status}: {refused.Reason}"),
        DecisionOutcome.Invalid invalid => ("invalid", invalid.Detail),
        DecisionOutcome.NotFound => ("not found", "The write no longer exists."),
        _ => ("unanswered", "No worker answered in time; read the write's status."),
    };
}
