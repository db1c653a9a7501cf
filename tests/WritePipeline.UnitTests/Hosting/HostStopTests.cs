using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WritePipeline.Hosting;

namespace WritePipeline.UnitTests.Hosting;

/// <summary>
/// A host told to stop while it is still starting stops like any other: the services already started are stopped, and
/// the host exits normally even when the service cut short throws (as Quartz's job store does when its start is
/// cancelled).
/// </summary>
public sealed class HostStopTests
{
    [Fact]
    public async Task A_stop_during_start_stops_the_started_services_and_exits_normally()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var started = new StartedService();
        builder.Services.AddSingleton<IHostedService>(started);
        builder.Services.AddSingleton<IHostedService, StopsTheHostWhileStarting>();
        var app = builder.Build();

        var exitCode = await app.RunWritePipelineAsync([]).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exitCode);
        Assert.True(started.Stopped, "the service started before the stop was not stopped");
    }

    sealed class StartedService : IHostedService
    {
        public bool Stopped { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            Stopped = true;
            return Task.CompletedTask;
        }
    }

    /// <summary>Asks the host to stop, waits for its start to be cancelled, and fails with an error of its own.</summary>
    sealed class StopsTheHostWhileStarting(IHostApplicationLifetime lifetime) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.StopApplication();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw new InvalidOperationException("the store could not be reached while stopping");
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
