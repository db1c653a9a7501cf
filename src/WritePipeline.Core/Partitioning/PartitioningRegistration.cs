using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WritePipeline.Telemetry;

namespace WritePipeline.Partitioning;

public static class PartitioningRegistration
{
    /// <summary>
    /// In every host: which partition a key belongs to, and how full each partition's queue is. The queues come with
    /// the transport (<see cref="AddPartitionQueues"/>), their consumers with the worker (<see cref="AddPartitioningWorker"/>).
    /// </summary>
    /// <param name="partitions">The partition count (<c>WritePipeline:Partitions</c>), which the <see cref="PartitionMap"/> gives every other reader.</param>
    public static IServiceCollection AddPartitioning(this IServiceCollection services, int partitions)
    {
        services.AddSingleton(new PartitionMap(partitions));
        services.AddSingleton<BrokerQueues>();
        services.AddSingleton<PartitionBacklog>();
        services.AddSingleton<IPipelineGauges, PartitionGauges>();
        return services;
    }

    /// <summary>In the API host: which worker owns which partition, for operators.</summary>
    public static IServiceCollection AddPartitioningApi(this IServiceCollection services) => services.AddScoped<PartitionOwners>();

    /// <summary>
    /// In every host: the partition queues on the configured transport, which the API sends writes to and the workers
    /// send decisions, checks and retries to; tests that host the consumers without a host add the same.
    /// </summary>
    public static IServiceCollection AddPartitionQueues(this IServiceCollection services, TransportKind transport)
    {
        if (transport == TransportKind.InMemory)
        {
            services.AddSingleton<InMemoryPartitionQueues>();
            services.AddSingleton<IPartitionQueues>(provider => provider.GetRequiredService<InMemoryPartitionQueues>());
        }
        else
        {
            services.AddSingleton<RabbitMqPartitionQueues>();
            services.AddSingleton<IPartitionQueues>(provider => provider.GetRequiredService<RabbitMqPartitionQueues>());
        }

        services.AddSingleton<PartitionConsumerStates>();
        services.AddMetrics();
        services.TryAddSingleton<PipelineMeter>();
        return services;
    }

    /// <summary>
    /// On workers: the partition consumers, which hand each batch to the <see cref="IPartitionBatchProcessor"/>. On
    /// RabbitMQ the partitions are shared with the other workers through leases, and this worker consumes only its own;
    /// in-process there is one worker, which consumes every partition.
    /// </summary>
    public static IServiceCollection AddPartitioningWorker(this IServiceCollection services, TransportKind transport)
    {
        if (transport == TransportKind.InMemory)
        {
            services.AddHostedService<InMemoryPartitionConsumers>();
        }
        else
        {
            services.AddSingleton(new WorkerIdentity());
            services.AddSingleton<PartitionLeaseStore>();
            services.AddSingleton<RabbitMqPartitionConsumers>();
            services.AddSingleton<IPartitionConsumers>(provider => provider.GetRequiredService<RabbitMqPartitionConsumers>());
            services.AddHostedService<PartitionOwnership>();
        }

        services.AddHealthChecks().AddCheck<PartitionConsumerStates.HealthCheck>("partition-consumers", tags: ["ready"]);
        return services;
    }
}
