using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Scheduling;

namespace WritePipeline.Admin;

public static class AdminRegistration
{
    /// <summary>What operators use, in the API host: the queries and actions behind the console and the admin API.</summary>
    public static IServiceCollection AddAdminApi(this IServiceCollection services)
    {
        services.AddScoped<ParkedWrites>();
        services.AddScoped<WriteDetails>();
        services.AddScoped<WriteActions>();
        services.AddScoped<BulkActions>();
        services.AddSingleton<BulkActionRunner>();
        services.AddHostedService(provider => provider.GetRequiredService<BulkActionRunner>());
        services.AddScoped<Archive>();
        services.AddScoped<BlockedKeys>();
        return services;
    }

    /// <summary>On workers (where the timers run): the archive's retention.</summary>
    public static IServiceCollection AddAdminWorker(this IServiceCollection services) =>
        services.AddRecurringJob<ArchivePurgeJob, ArchiveOptions>(ArchivePurgeJob.Name, archive => archive.PurgeInterval);
}
