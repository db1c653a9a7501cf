using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;
using WritePipeline.Data;
using WritePipeline.Scheduling;

namespace WritePipeline.Webhooks;

/// <summary>
/// The safety net of webhook timers: a pending delivery whose attempt is overdue and has no timer gets one. Its
/// process died between committing the delivery and setting the timer; or it was recorded where no scheduler runs; or
/// its timer had handed it to a worker's delivery slots and that worker died, stopped, or failed the attempt before
/// recording it. A delivery waiting in a live worker's slots is not overdue: the worker keeps its claim moving on
/// (<see cref="WebhookDispatcher"/>). Runs on one worker at a time.
/// </summary>
[DisallowConcurrentExecution]
public sealed class WebhookSweepJob(IServiceScopeFactory scopes, Timers timers, TimeProvider clock, ILogger<WebhookSweepJob> logger) : IJob
{
    public const string Name = "webhook-sweeper";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
        var overdue = clock.GetUtcNow() - Interval;
        var deliveries = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt < overdue)
            .OrderBy(d => d.NextAttemptAt)
            .Take(200)
            .ToListAsync(cancellationToken);
        var orphans = new List<WebhookDelivery>();
        foreach (var delivery in deliveries)
        {
            if (!await timers.ExistsAsync(WebhookTimers.NameOf(delivery.Id, delivery.Attempts + 1), cancellationToken))
            {
                orphans.Add(delivery);
            }
        }

        if (orphans.Count > 0)
        {
            logger.LogWarning("{Count} overdue webhook deliveries had no timer; setting them now", orphans.Count);
            await scope.ServiceProvider.GetRequiredService<WebhookTimers>().SetAsync(orphans, cancellationToken);
        }
    }
}
