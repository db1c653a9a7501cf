using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WritePipeline.Partitioning;
using WritePipeline.Scheduling;
using WritePipeline.Telemetry;
using WritePipeline.Webhooks;
using WritePipeline.Writes;
using WritePipeline.Writes.Status;

namespace WritePipeline.Conflicts;

public static class ConflictsRegistration
{
    /// <summary>
    /// In every host; in worker processes (where the partitions and timers run) the conflict sweeper and the retries
    /// of writes waiting for a reference. The saga itself is on the bus (messaging).
    /// </summary>
    public static IServiceCollection AddConflicts(this IServiceCollection services, WorkerOptions worker)
    {
        services.AddSingleton<IPipelineGauges, WaitingWriteGauges>();
        AddWriteStatusWebhooks(services);
        services.AddSingleton(new WebhookCommandAddress(ConflictTopology.SendAddress));
        services.AddScoped<IFailedDeliveryHandler, ConflictNotificationFailures>();
        if (worker.Enabled)
        {
            services.AddScoped<ConflictSweeper>();
            services.AddRecurringJob<ConflictSweepJob, SweeperOptions>(ConflictSweepJob.Name, o => o.Interval);
        }

        services.AddSweep<ReferenceRetrySweep, ReferenceRetrySweepJob, WorkerOptions>(worker, ReferenceRetrySweepJob.Name, o => o.ReferenceRetryInterval);
        return services;
    }

    /// <summary>
    /// A write's status with the conflict's part, and the webhooks of a write's events, for the apply path and the saga;
    /// tests that host those on the harness add the same.
    /// </summary>
    public static IServiceCollection AddWriteStatusWebhooks(IServiceCollection services)
    {
        WritesRegistration.AddWriteStatus(services);
        services.TryAddScoped<IWriteDecisions, WriteDecisions>();
        services.TryAddScoped<WriteStatusWebhooks>();
        return services;
    }

    /// <summary>In the API host: the decisions submitters and operators take on conflicts.</summary>
    public static IServiceCollection AddConflictsApi(this IServiceCollection services) => services.AddScoped<Decisions>();
}
