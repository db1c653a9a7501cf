using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WritePipeline.Webhooks;
using WritePipeline.Writes.Detection;
using WritePipeline.Writes.Status;

namespace WritePipeline.Writes;

public static class WritesRegistration
{
    /// <summary>In every host: a write's status resource and the webhooks that carry it.</summary>
    public static IServiceCollection AddWrites(this IServiceCollection services) => AddWriteStatus(services);

    /// <summary>A write's status resource and the webhooks that carry it; the conflict feature adds its part (<see cref="IWriteDecisions"/>).</summary>
    public static IServiceCollection AddWriteStatus(IServiceCollection services)
    {
        WebhookRegistration.AddWebhookOutbox(services);
        services.TryAddSingleton<WriteIds>();
        services.TryAddScoped<WriteStatusQuery>();
        services.TryAddScoped<WriteWebhooks>();
        services.TryAddScoped<IWriteWebhooks>(provider => provider.GetRequiredService<WriteWebhooks>());
        return services;
    }

    /// <summary>In the API host: sending submissions, and answering repeats of their Idempotency-Keys.</summary>
    public static IServiceCollection AddWritesApi(this IServiceCollection services)
    {
        services.AddScoped<WriteSubmitter>();
        services.AddSingleton<AcceptedKeys>();
        services.AddSingleton<RecordedKeys>();
        services.TryAddScoped<WriteDispatcher>();
        return services;
    }

    /// <summary>On workers: recording and applying writes (one or a batch, conflicts detected, failures retried in place).</summary>
    public static IServiceCollection AddWritesWorker(this IServiceCollection services)
    {
        services.AddSingleton<WriteBatchApplier>();
        services.AddSingleton<FailedWrites>();
        services.AddSingleton<InPlaceRetry>();
        services.AddScoped<WriteApplier>();
        services.AddScoped<UnreadableWrites>();
        services.AddScoped<ConstraintEnforcer>();

        return services;
    }
}
