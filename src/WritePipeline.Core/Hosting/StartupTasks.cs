using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Clients;
using WritePipeline.Data;
using WritePipeline.Operators;

namespace WritePipeline.Hosting;

/// <summary>
/// Runs before the bus and the web server start (it is registered first): migrations when configured, and the
/// Development bootstrap client and operator.
/// </summary>
public sealed class StartupTasks(
    IServiceScopeFactory scopes,
    IHostEnvironment environment,
    IOptions<WritePipelineOptions> options,
    ILogger<StartupTasks> logger) : IHostedService
{
    public const string DevelopmentOperatorName = "dev-operator";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (options.Value.Database.MigrateOnStartup)
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        }

        // Never outside Development: a known key in production would be an open door.
        if (environment.IsDevelopment() && options.Value.Clients.DevelopmentApiKey is { Length: > 0 } key)
        {
            var clients = scope.ServiceProvider.GetService<ClientRegistry>();
            if (clients is not null)
            {
                await clients.EnsureAsync("development", key, cancellationToken);
                logger.LogInformation("Development bootstrap client is ready (WritePipeline:Clients:DevelopmentApiKey)");
            }
        }

        if (environment.IsDevelopment() && options.Value.Operators is { DevelopmentPassword.Length: > 0, DevelopmentToken.Length: > 0 } dev
            && scope.ServiceProvider.GetService<OperatorRegistry>() is { } operators)
        {
            await operators.EnsureAsync(DevelopmentOperatorName, dev.DevelopmentPassword, dev.DevelopmentToken, cancellationToken);
            logger.LogInformation("Development operator {Operator} is ready (WritePipeline:Operators)", DevelopmentOperatorName);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
