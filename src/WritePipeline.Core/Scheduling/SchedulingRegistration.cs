using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using WritePipeline.Data;

namespace WritePipeline.Scheduling;

public static class SchedulingRegistration
{
    /// <summary>
    /// Quartz on a clustered job store in the pipeline's own database, on workers: every timer (webhook retries,
    /// decision deadlines) is a row there, survives restarts, and fires on exactly one worker. Quartz creates its tables
    /// (<c>qrtz_*</c>) itself when they are missing. The features' recurring jobs are set once it has started.
    /// </summary>
    public static IServiceCollection AddSchedulingWorker(
        this IServiceCollection services, SchedulingOptions scheduling, DatabaseOptions database, IConfiguration configuration)
    {
        // With the pipeline's session settings: Quartz's cluster locks are row locks a vanished host would keep too.
        var connectionString = DataRegistration.ConnectionString(database, configuration);
        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = "writepipeline";
                scheduler.GenerateInstanceId = true;
            });
            quartz.UseDefaultThreadPool(scheduling.MaxConcurrency);
            quartz.UsePersistentStore(store =>
            {
                store.ProvisionSchema();
                // SQLite is the embedded, single-process mode: one scheduler, no cluster (Quartz refuses to lock SQLite across processes).
                if (database.Provider != DatabaseProvider.Sqlite)
                {
                    store.UseClustering(cluster =>
                    {
                        cluster.CheckinInterval = scheduling.CheckinInterval;
                        cluster.CheckinMisfireThreshold = scheduling.CheckinInterval * 3;
                    });
                }

                switch (database.Provider)
                {
                    case DatabaseProvider.PostgreSql:
                        store.UsePostgres(connectionString!);
                        break;
                    case DatabaseProvider.SqlServer:
                        store.UseSqlServer(connectionString!);
                        break;
                    default:
                        store.UseSqlite(TimersDatabase(connectionString ?? DataRegistration.DefaultSqliteConnection));
                        break;
                }
            });
        });
        services.AddHostedService<TimerDatabaseWait>();
        services.AddQuartzHostedService(hosted => hosted.WaitForJobsToComplete = true);
        services.AddSingleton<Timers>();
        services.AddHostedService<RecurringJobs.Startup>();
        return services;
    }

    /// <summary>
    /// On SQLite the timers live in a database file of their own, beside the pipeline's (<c>writepipeline.db</c> ->
    /// <c>writepipeline.timers.db</c>). SQLite has one writer per file: a saga that sets a timer inside its transaction
    /// held the file's write lock while Quartz, on its own connection, waited for it, and both waited until "database
    /// is locked". Quartz never shared the saga's transaction anyway (it has its own connection on every provider).
    /// </summary>
    public static string TimersDatabase(string sqliteConnectionString)
    {
        var builder = new SqliteConnectionStringBuilder(sqliteConnectionString);
        if (string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            return sqliteConnectionString;
        }

        builder.DataSource = Path.ChangeExtension(builder.DataSource, ".timers" + Path.GetExtension(builder.DataSource));
        return builder.ToString();
    }
}
