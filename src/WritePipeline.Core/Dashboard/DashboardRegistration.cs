using Microsoft.Extensions.DependencyInjection;

namespace WritePipeline.Dashboard;

public static class DashboardRegistration
{
    /// <summary>In the API host: the figures behind the operators' dashboard.</summary>
    public static IServiceCollection AddDashboardApi(this IServiceCollection services) => services.AddScoped<PipelineMetrics>();
}
