using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Serilog;
using WritePipeline.Admin;
using WritePipeline.Applying;
using WritePipeline.Audit;
using WritePipeline.Collections;
using WritePipeline.Conflicts;
using WritePipeline.Data;
using WritePipeline.Partitioning;
using WritePipeline.Scheduling;
using WritePipeline.Telemetry;
using WritePipeline.Webhooks;
using WritePipeline.Writes;

namespace WritePipeline.Hosting;

/// <summary>
/// What the hosts compose: the pipeline every host runs (<see cref="AddWritePipeline"/>), and what a worker runs on
/// top of it (<see cref="AddWritePipelineWorker"/>), which the worker host adds and the API host adds when it runs
/// the worker in-process (<see cref="RunsWorkerInProcess"/>). The API host adds its API (WritePipeline.Api,
/// WritePipelineApiHosting).
/// </summary>
public static class WritePipelineHosting
{
    const string ReadyTag = "ready";

    /// <summary>In every host: logging, options, database, bus and partition queues, each feature's shared part, health.</summary>
    public static WebApplicationBuilder AddWritePipeline(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(WritePipelineOptions.SectionName);
        var options = OptionsOf(builder);
        var services = builder.Services;

        services.AddSerilog((provider, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(provider)
            .Enrich.FromLogContext());

        services.AddWritePipelineOptions(section);
        services.AddSingleton(TimeProvider.System);
        services.AddPartitioning(options.Partitions);
        services.AddWritePipelineTelemetry(builder.Configuration, builder.Environment.ApplicationName);
        services.AddCollections();
        services.AddWritePipelineData(options.Database, builder.Configuration, PartitionFence.Instance);
        // Before the bus: hosted services start in order, and consumers need the migrated schema.
        services.AddHostedService<StartupTasks>();
        services.AddWritePipelineMessaging(options);
        services.AddWebhooks(options.Webhooks);
        services.AddWrites();
        services.AddConflicts();
        services.AddAudit();

        services.AddHealthChecks()
            .AddDbContextCheck<WritePipelineDbContext>("database", tags: [ReadyTag])
            .AddCheck<BrokerTopologyHealthCheck>("broker-topology", tags: [ReadyTag]);
        return builder;
    }

    /// <summary>
    /// What a worker runs, feature by feature: the partition consumers and what they hand batches to, the appliers, the
    /// conflict saga's endpoint, webhook delivery, and the timers (Quartz) with every sweep and recurring job.
    /// </summary>
    public static WebApplicationBuilder AddWritePipelineWorker(this WebApplicationBuilder builder)
    {
        var options = OptionsOf(builder);
        var services = builder.Services;
        services.AddPartitioningWorker(options.Transport.Kind);
        services.AddSchedulingWorker(options.Scheduling, options.Database, builder.Configuration);
        services.AddApplyingWorker();
        services.AddWritesWorker();
        services.AddConflictsWorker();
        services.AddWebhooksWorker();
        services.AddAdminWorker();
        return builder;
    }

    /// <summary>
    /// Whether the API host runs the worker in-process: <c>WritePipeline:Worker:Enabled</c>, true in its settings (the
    /// embedded default); false for an API that only accepts writes, beside worker hosts.
    /// </summary>
    public static bool RunsWorkerInProcess(this WebApplicationBuilder builder) => OptionsOf(builder).Worker.Enabled;

    static WritePipelineOptions OptionsOf(WebApplicationBuilder builder) =>
        builder.Configuration.GetSection(WritePipelineOptions.SectionName).Get<WritePipelineOptions>() ?? new WritePipelineOptions();

    /// <summary>
    /// The options bound from <paramref name="section"/>, checked at start-up: their attributes, every section's, and the
    /// whole. Each section is also registered on its own, projected from the checked whole (<see cref="OptionsSections"/>).
    /// </summary>
    public static IServiceCollection AddWritePipelineOptions(this IServiceCollection services, IConfigurationSection section)
    {
        services.AddOptions<WritePipelineOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WritePipelineOptions>, WritePipelineOptionsAnnotations>();
        services.AddSingleton<IValidateOptions<WritePipelineOptions>, WritePipelineOptionsValidator>();
        services.AddWritePipelineOptionsSections();
        return services;
    }

    /// <summary>Liveness (the process answers) and readiness (database reachable, broker topology declared, bus connected).</summary>
    public static WebApplication MapWritePipelineHealth(this WebApplication app)
    {
        app.MapWritePipelineMetrics();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReportAsync,
        });
        return app;
    }

    /// <summary>The overall status and, per check, its status and what it found (which partition has no consumer, ...).</summary>
    static Task WriteReportAsync(Microsoft.AspNetCore.Http.HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description ?? e.Value.Exception?.Message }),
        });
    }

    sealed class BrokerTopologyHealthCheck(BrokerTopology topology) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(topology.IsDeclared
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The partition queues are not declared on the broker yet."));
    }
}
