using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quartz;

namespace WritePipeline.Scheduling;

/// <summary>
/// A Quartz job that runs every so often, once in the cluster of workers: its timer is set when a worker starts
/// (replacing the one already set, so a changed interval takes effect). Features declare their jobs in their worker
/// registration; the scheduler (<see cref="SchedulingRegistration.AddSchedulingWorker"/>) sets them, so a test that
/// hosts a feature's worker services without a scheduler sets none.
/// </summary>
public static class RecurringJobs
{
    /// <param name="interval">How often, read from the options section <typeparamref name="TOptions"/> when the worker starts.</param>
    public static IServiceCollection AddRecurringJob<TJob, TOptions>(this IServiceCollection services, string name, Func<TOptions, TimeSpan> interval)
        where TJob : IJob
        where TOptions : class =>
        services.AddSingleton<RecurringJob>(new RecurringJob<TJob, TOptions>(name, interval));

    /// <summary>Sets every declared job's timer as the worker starts, once the scheduler has started.</summary>
    internal sealed class Startup(IEnumerable<RecurringJob> jobs, Timers timers, IServiceProvider services) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (var job in jobs)
            {
                await job.SetAsync(timers, services, cancellationToken);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>A recurring job a feature declares (<see cref="RecurringJobs.AddRecurringJob"/>).</summary>
public abstract class RecurringJob
{
    internal abstract Task SetAsync(Timers timers, IServiceProvider services, CancellationToken cancellationToken);
}

sealed class RecurringJob<TJob, TOptions>(string name, Func<TOptions, TimeSpan> interval) : RecurringJob
    where TJob : IJob
    where TOptions : class
{
    internal override Task SetAsync(Timers timers, IServiceProvider services, CancellationToken cancellationToken) =>
        timers.SetRecurringAsync<TJob>(name, interval(services.GetRequiredService<IOptions<TOptions>>().Value), cancellationToken);
}
