using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Conflicts;
using WritePipeline.Data;

namespace WritePipeline.Admin;

/// <summary>
/// Runs bulk actions in the background of an API process, each as soon as it is started (a run never waits behind
/// another), recording progress after each write so the progress page can follow. A run whose process went away
/// (no progress for <see cref="BulkActionOptions.ResumeAfter"/>) is claimed by one running API process, by a
/// conditional update, and resumed where it stopped.
/// </summary>
public sealed class BulkActionRunner(IServiceScopeFactory scopes, TimeProvider clock, IOptions<BulkActionOptions> options, ILogger<BulkActionRunner> logger)
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
        var resumeAfter = options.Value.ResumeAfter;
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
        // Resumed: the problems recorded before the interruption stay, so the list always matches Refused.
        var problems = bulk.ReadProblems();
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
