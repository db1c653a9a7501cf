using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Telemetry;

namespace WritePipeline.Partitioning;

public static class PartitioningRegistration
{
    /// <summary>
    /// In every host: which partition a key belongs to, and how full each partition's queue is. The queues and their
    /// consumers come with the bus (messaging).
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
}
