using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using WritePipeline.Scheduling;
using WritePipeline.Telemetry;

namespace WritePipeline.Webhooks;

/// <summary>
/// The Quartz timers of webhook deliveries: one per attempt, named after the delivery and the attempt's number. A timer
/// carries the trace context of the step that set it (the apply or saga step that recorded the delivery, or the attempt
/// before), so that its attempt is in the write's trace.
/// </summary>
public sealed class WebhookTimers(IServiceProvider services)
{
    public static string NameOf(Guid deliveryId, int attempt) => $"webhook-{deliveryId:N}-{attempt}";

    /// <summary>Sets the timer of each delivery's next attempt. Where this process runs no scheduler (an API-only host), the sweeper of a worker sets it.</summary>
    public async Task SetAsync(IEnumerable<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        if (services.GetService<Timers>() is not { } timers)
        {
            return;
        }

        foreach (var delivery in deliveries.Where(d => d is { Status: WebhookDeliveryStatus.Pending, NextAttemptAt: not null }))
        {
            var data = new Dictionary<string, string> { [WebhookAttemptJob.DeliveryIdKey] = delivery.Id.ToString() };
            PipelineTracing.AddTo(Activity.Current, data);
            await timers.SetAsync<WebhookAttemptJob>(NameOf(delivery.Id, delivery.Attempts + 1), delivery.NextAttemptAt!.Value, data, cancellationToken);
        }
    }
}

/// <summary>
/// Hands one attempt of a webhook delivery, with the trace context its timer carries, to this worker's delivery slots
/// (<see cref="WebhookDispatcher"/>) and returns: the attempt itself never holds a timer thread.
/// </summary>
public sealed class WebhookAttemptJob(WebhookDispatcher dispatcher, Timers timers, TimeProvider clock) : IJob
{
    public const string DeliveryIdKey = "deliveryId";
    const string FirstTryKey = "firstTry";

    // A timer set inside a transaction (by the conflict saga) can fire before that transaction commits its delivery.
    static readonly TimeSpan WaitForCommit = TimeSpan.FromSeconds(30);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        var deliveryId = Guid.Parse(data.GetString(DeliveryIdKey)!);
        if (await dispatcher.HandOverAsync(deliveryId, PipelineTracing.FromTimerData(data.GetString), cancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var firstTry = data.GetString(FirstTryKey) is { } first ? DateTimeOffset.Parse(first, System.Globalization.CultureInfo.InvariantCulture) : now;
        if (now - firstTry < WaitForCommit)
        {
            // The same data (the delivery, its trace context) and when it was first tried.
            var again = data.Keys.ToDictionary(key => key, key => data.GetString(key)!);
            again[FirstTryKey] = firstTry.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            await timers.SetAsync<WebhookAttemptJob>(context.Trigger.Key.Name + "+", now.AddSeconds(1), again, cancellationToken);
        }
    }
}
