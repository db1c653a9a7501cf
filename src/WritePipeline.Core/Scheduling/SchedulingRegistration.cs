using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using WritePipeline.Data;

namespace WritePipeline.Scheduling;

public static class SchedulingRegistration
{
    /// <summary>
    /// Quartz on a clustered job store in the pipeline's own database, in worker processes: every timer (webhook
    /// retries, decision deadlines) is a row there, survives restarts, and fires on exactly one worker. Quartz creates
    /// its tables (<c>qrtz_*</c>) itself when they are missing.
    /// </summary>
    public static IServiceCollection AddWritePipelineScheduling(this IServiceCollection services, WritePipelineOptions options, IConfiguration configuration)
    {
        if (!options.Worker.Enabled)
        {
            return services;
        }

        var connectionString = configuration.GetConnectionString(DataRegistration.ConnectionStringName);
        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = "writepipeline";
                scheduler.GenerateInstanceId = true;
            });
            quartz.UseDefaultThreadPool(options.Scheduling.MaxConcurrency);
            quartz.UsePersistentStore(store =>
            {
                store.ProvisionSchema();
                // SQLite is the embedded, single-process mode: one scheduler, no cluster (Quartz refuses to lock SQLite across processes).
                if (options.Database.Provider != DatabaseProvider.Sqlite)
                {
                    store.UseClustering(cluster =>
                    {
                        cluster.CheckinInterval = options.Scheduling.CheckinInterval;
                        cluster.CheckinMisfireThreshold = options.Scheduling.CheckinInterval * 3;
                    });
                }

                switch (options.Database.Provider)
                {
                    case DatabaseProvider.PostgreSql:
                        store.UsePostgres(connectionString!);
                        break;
                    case DatabaseProvider.SqlServer:
                        store.UseSqlServer(connectionString!);
                        break;
                    default:
                        store.UseSqlite(connectionString ?? DataRegistration.DefaultSqliteConnection);
                        break;
                }
            });
        });
        services.AddQuartzHostedService(hosted => hosted.WaitForJobsToComplete = true);
        services.AddSingleton<Timers>();
        return services;
    }
}
