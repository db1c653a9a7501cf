using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Scheduling;

namespace WritePipeline.Writes;

public static class WritesRegistration
{
    /// <summary>
    /// In every host; in worker processes (where the timers run) the sweep of writes whose message may never have
    /// reached the broker, and the release of old Idempotency-Keys. Applying writes is the partitions' (messaging).
    /// </summary>
    public static IServiceCollection AddWrites(this IServiceCollection services, WritePipelineOptions options)
    {
        services.AddSweep<UnconfirmedWriteSweep, UnconfirmedWriteSweepJob>(options, UnconfirmedWriteSweepJob.Name, o => o.Sweeper.Interval);
        if (options.Worker.Enabled)
        {
            services.AddScoped<IdempotencyKeyRelease>();
            services.AddRecurringJob<IdempotencyKeyReleaseJob>(IdempotencyKeyReleaseJob.Name, o => o.Idempotency.ReleaseInterval);
        }

        return services;
    }

    /// <summary>In the API host: reading, recording and sending submissions.</summary>
    public static IServiceCollection AddWritesApi(this IServiceCollection services)
    {
        services.AddScoped<SubmissionReader>();
        services.AddScoped<WriteSubmitter>();
        services.AddSingleton<WriteRecorder>();
        services.AddScoped<WriteDispatcher>();
        return services;
    }
}
