using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WritePipeline.Scheduling;
using WritePipeline.Webhooks;
using WritePipeline.Writes.Detection;
using WritePipeline.Writes.Status;

namespace WritePipeline.Writes;

public static class WritesRegistration
{
    /// <summary>In every host: a write's status resource and the webhooks that carry it.</summary>
    public static IServiceCollection AddWrites(this IServiceCollection services) => AddWriteStatus(services);

    /// <summary>A write's status resource and the webhooks that carry it; the conflict feature adds its part (<see cref="IWriteDecisions"/>).</summary>
    public static IServiceCollection AddWriteStatus(IServiceCollection services)
    {
        WebhookRegistration.AddWebhookOutbox(services);
        services.TryAddSingleton<WriteIds>();
        services.TryAddScoped<WriteStatusQuery>();
        services.TryAddScoped<WriteWebhooks>();
        services.TryAddScoped<IWriteWebhooks>(provider => provider.GetRequiredService<WriteWebhooks>());
        return services;
    }

    /// <summary>In the API host: recording and sending submissions.</summary>
    public static IServiceCollection AddWritesApi(this IServiceCollection services)
    {
        services.AddScoped<WriteSubmitter>();
        services.AddSingleton<WriteRecorder>();
        services.AddScoped<WriteDispatcher>();
        return services;
    }

    /// <summary>
    /// On workers: applying writes (one or a batch, conflicts detected, failures retried in place), and the timers: the
    /// sweep of writes whose message may never have reached the broker, and the release of old Idempotency-Keys.
    /// </summary>
    public static IServiceCollection AddWritesWorker(this IServiceCollection services)
    {
        services.AddSingleton<WriteBatchApplier>();
        services.AddSingleton<FailedWrites>();
        services.AddSingleton<InPlaceRetry>();
        services.AddScoped<WriteApplier>();
        services.AddScoped<UnreadableWrites>();
        services.AddScoped<UnconfirmedWrites>();
        services.AddScoped<ConstraintEnforcer>();

        services.AddSweep<UnconfirmedWriteSweep, UnconfirmedWriteSweepJob, SweeperOptions>(UnconfirmedWriteSweepJob.Name, o => o.Interval);
        services.AddScoped<IdempotencyKeyRelease>();
        services.AddRecurringJob<IdempotencyKeyReleaseJob, IdempotencyOptions>(IdempotencyKeyReleaseJob.Name, o => o.ReleaseInterval);
        return services;
    }
}
