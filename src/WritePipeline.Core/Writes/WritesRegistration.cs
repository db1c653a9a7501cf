using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WritePipeline.Partitioning;
using WritePipeline.Scheduling;
using WritePipeline.Webhooks;
using WritePipeline.Writes.Status;

namespace WritePipeline.Writes;

public static class WritesRegistration
{
    /// <summary>
    /// In every host; in worker processes (where the timers run) the sweep of writes whose message may never have
    /// reached the broker, and the release of old Idempotency-Keys. Applying writes is the partitions' (messaging).
    /// </summary>
    public static IServiceCollection AddWrites(this IServiceCollection services, WorkerOptions worker)
    {
        AddWriteStatus(services);
        services.AddSweep<UnconfirmedWriteSweep, UnconfirmedWriteSweepJob, SweeperOptions>(worker, UnconfirmedWriteSweepJob.Name, o => o.Interval);
        if (worker.Enabled)
        {
            services.AddScoped<IdempotencyKeyRelease>();
            services.AddRecurringJob<IdempotencyKeyReleaseJob, IdempotencyOptions>(IdempotencyKeyReleaseJob.Name, o => o.ReleaseInterval);
        }

        return services;
    }

    /// <summary>A write's status resource and the webhooks that carry it; the conflict feature adds its part (<see cref="IWriteDecisions"/>).</summary>
    public static IServiceCollection AddWriteStatus(IServiceCollection services)
    {
        WebhookRegistration.AddWebhookOutbox(services);
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
}
