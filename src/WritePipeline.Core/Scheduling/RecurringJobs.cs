using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quartz;

namespace WritePipeline.Scheduling;

/// <summary>
/// A Quartz job that runs every so often, once in the cluster of workers: its timer is set when a worker starts
/// (replacing the one already set, so a changed interval takes effect).
/// </summary>
public static class RecurringJobs
{
    /// <param name="interval">How often, read from the options section <typeparamref name="TOptions"/> when the worker starts.</param>
    public static IServiceCollection AddRecurringJob<TJob, TOptions>(this IServiceCollection services, string name, Func<TOptions, TimeSpan> interval)
        where TJob : IJob
        where TOptions : class =>
        services.AddSingleton<IHostedService>(provider => new Startup<TJob>(
            provider.GetRequiredService<Timers>(),
            name,
            interval(provider.GetRequiredService<IOptions<TOptions>>().Value)));

    sealed class Startup<TJob>(Timers timers, string name, TimeSpan interval) : IHostedService
        where TJob : IJob
    {
        public Task StartAsync(CancellationToken cancellationToken) => timers.SetRecurringAsync<TJob>(name, interval, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
