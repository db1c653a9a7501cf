using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Scheduling;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Writes;

public static class WritesRegistration
{
    /// <summary>In the API host: reading, recording and sending submissions.</summary>
    public static IServiceCollection AddWritesApi(this IServiceCollection services)
    {
        services.AddScoped<SubmissionReader>();
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
