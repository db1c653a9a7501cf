using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Partitioning;

namespace WritePipeline.Applying;

public static class ApplyingRegistration
{
    /// <summary>On workers: what the partition consumers hand each batch to.</summary>
    public static IServiceCollection AddApplyingWorker(this IServiceCollection services) =>
        services.AddSingleton<IPartitionBatchProcessor, PartitionProcessor>();
}
