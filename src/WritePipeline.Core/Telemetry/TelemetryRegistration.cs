using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace WritePipeline.Telemetry;

public static class TelemetryRegistration
{
    /// <summary>Turns traces on without an OTLP endpoint (for an exporter added in code, as the trace test does).</summary>
    public const string TracesKey = "WritePipeline:Telemetry:Traces";

    /// <summary>
    /// Metrics with OpenTelemetry: the pipeline's own (<see cref="PipelineMeter"/>), ASP.NET Core's, HttpClient's and the
    /// .NET runtime's, as Prometheus text at <c>/metrics</c>, and over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// Traces when there is somewhere to send them (OTLP, or <see cref="TracesKey"/>): the pipeline's spans
    /// (<see cref="PipelineTracing"/>), MassTransit's, ASP.NET Core's, HttpClient's and Npgsql's.
    /// </summary>
    public static IServiceCollection AddWritePipelineTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        services.AddMetrics();
        services.AddSingleton<PipelineMeter>();
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PipelineMeter.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });

        // Without a tracer nobody listens: no span is made and no partition message's headers are read, so the
        // pipeline pays nothing for tracing it does not export.
        if (otlp || configuration.GetValue<bool>(TracesKey))
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(PipelineTracing.SourceName, MassTransit.Logging.DiagnosticHeaders.DefaultListenerName)
                    .AddAspNetCoreInstrumentation(options => options.Filter = http => !IsScrapeOrProbe(http.Request.Path))
                    .AddHttpClientInstrumentation()
                    .AddNpgsql();
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            });
        }

        return services;
    }

    /// <summary>Prometheus text at <c>/metrics</c>, without authentication (as <c>/health</c>): keep it off the public network.</summary>
    public static WebApplication MapWritePipelineMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    /// <summary>Scrapes and health probes come every few seconds and say nothing about writes: not traced.</summary>
    static bool IsScrapeOrProbe(PathString path) => path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health");
}
