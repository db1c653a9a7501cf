using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WritePipeline.Data;

namespace WritePipeline.Scheduling;

/// <summary>
/// Holds the start of Quartz until the database answers. Quartz provisions its schema while its job store starts, and
/// a connection that fails there ends the host: a worker started during a database outage exited instead of waiting
/// for it. Registered just before Quartz's hosted service, so the services before it run meanwhile (a worker's
/// partitions wait for their leases, which need the database too); a stop while waiting cancels the wait.
/// </summary>
public sealed class TimerDatabaseWait(IServiceScopeFactory scopes, TimeProvider clock, ILogger<TimerDatabaseWait> logger) : IHostedService
{
    static readonly TimeSpan Pause = TimeSpan.FromSeconds(1);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var waited = false;
        while (!await CanConnectAsync(cancellationToken))
        {
            if (!waited)
            {
                logger.LogWarning("The database cannot be reached: the timers start once it can");
                waited = true;
            }

            await Task.Delay(Pause, clock, cancellationToken);
        }

        if (waited)
        {
            logger.LogInformation("The database answers: the timers start");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    async Task<bool> CanConnectAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            return await scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>().Database.CanConnectAsync(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(ex, "The database cannot be reached yet");
            return false;
        }
    }
}
