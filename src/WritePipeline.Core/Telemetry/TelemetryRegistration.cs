using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace WritePipeline.Telemetry;

public static class TelemetryRegistration
{
    /// <summary>
    /// Metrics with OpenTelemetry: the pipeline's own (<see cref="PipelineMeter"/>), ASP.NET Core's, HttpClient's and the
    /// .NET runtime's, as Prometheus text at <c>/metrics</c>, and over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// </summary>
    public static IServiceCollection AddWritePipelineTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        services.AddMetrics();
        services.AddSingleton<PipelineMeter>();
        services.AddSingleton<PipelineGauges>();
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PipelineMeter.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        return services;
    }

    /// <summary>Prometheus text at <c>/metrics</c>, without authentication (as <c>/health</c>): keep it off the public network.</summary>
    public static WebApplication MapWritePipelineMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
