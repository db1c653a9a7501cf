using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace WritePipeline.Scheduling;

/// <summary>
/// A recurring job whose work is one sweep, a scoped service with a DbContext of its own per run. A sweep that fails
/// (database or broker away) is the next one's to do: sweeps only act on what the database still says is due.
/// Concrete jobs carry <see cref="DisallowConcurrentExecutionAttribute"/> so that one runs at a time in the cluster.
/// </summary>
public abstract class SweepJob<TSweep>(IServiceScopeFactory scopes) : IJob
    where TSweep : notnull
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await SweepAsync(scope.ServiceProvider.GetRequiredService<TSweep>(), cancellationToken);
    }

    protected abstract Task SweepAsync(TSweep sweep, CancellationToken cancellationToken);
}

public static class SweepJobs
{
    /// <summary>A sweep and its recurring job, on workers (where the timers run).</summary>
    /// <param name="interval">How often, read from the options section <typeparamref name="TOptions"/> when the worker starts.</param>
    public static IServiceCollection AddSweep<TSweep, TJob, TOptions>(this IServiceCollection services, string name, Func<TOptions, TimeSpan> interval)
        where TSweep : class
        where TJob : SweepJob<TSweep>
        where TOptions : class
    {
        services.AddScoped<TSweep>();
        return services.AddRecurringJob<TJob, TOptions>(name, interval);
    }
}
