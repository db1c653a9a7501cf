using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WritePipeline.Applying;
using WritePipeline.Collections;
using WritePipeline.Data;
using WritePipeline.Hosting;
using WritePipeline.Testing;

namespace WritePipeline.ComponentTests.Support;

/// <summary>
/// The services a worker applies writes with, registered as the hosts register them, over a test database: what the
/// component harnesses share, whatever they put around it (a bus, partition consumers, or nothing).
/// </summary>
static class WorkerServices
{
    public static IServiceCollection AddWorkerServices(
        this IServiceCollection services,
        WritePipelineOptions options,
        TestDatabase database,
        Func<IServiceProvider, IEnumerable<IInterceptor>> interceptors)
    {
        services.AddLogging();
        services.AddSingleton(Options.Create(options));
        services.AddWritePipelineOptionsSections();
        services.AddSingleton(TimeProvider.System);
        services.AddPartitioning(options.Partitions);
        // The declared collections come from the options, as in the hosts: the built-in defaults unless a test declares its own.
        services.AddCollections();
        services.AddDbContext<WritePipelineDbContext>((provider, builder) => DataRegistration
            .UseProvider(builder, database.Provider, database.ConnectionString)
            .AddInterceptors([.. interceptors(provider), PartitionFence.Instance]));
        services.AddPartitionQueues(TransportKind.InMemory);
        services.AddApplyingWorker();
        services.AddWritesWorker();
        services.AddConflictsWorker();
        // As every host composes it: operators' decisions are audited in the saga's transaction.
        services.AddAudit();
        ConflictsRegistration.AddWriteStatusWebhooks(services);
        return services;
    }
}
