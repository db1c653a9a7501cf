using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WritePipeline.Scheduling;
using WritePipeline.Telemetry;

namespace WritePipeline.Webhooks;

public static class WebhookRegistration
{
    /// <summary>In every host: the address guard and the outbox of deliveries, which the steps that report events record into.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, WebhookOptions webhooks)
    {
        services.AddSingleton(new AddressGuard(webhooks.AllowPrivateAddresses));
        return AddWebhookOutbox(services);
    }

    /// <summary>On workers (where the timers run): the delivery slots, the sender and its HTTP client, the sweep.</summary>
    public static IServiceCollection AddWebhooksWorker(this IServiceCollection services)
    {
        services.AddScoped<WebhookSender>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<IPipelineGauges, WebhookGauges>();
        services.AddHostedService(provider => provider.GetRequiredService<WebhookDispatcher>());
        services.AddRecurringJob<WebhookSweepJob, WebhookOptions>(WebhookSweepJob.Name, _ => WebhookSweepJob.Interval);
        services.AddHttpClient(WebhookSender.HttpClientName, client =>
            {
                // Each attempt has its own deadline (WebhookOptions.Timeout); this one only bounds a stuck connection pool.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("WritePipeline-Webhooks/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                // Only 2xx counts, and a redirect is an answer, not a new place to send the payload to.
                AllowAutoRedirect = false,
                ConnectCallback = provider.GetRequiredService<AddressGuard>().ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            });
        return services;
    }

    /// <summary>In the API host: clients' administration of their endpoints.</summary>
    public static IServiceCollection AddWebhooksApi(this IServiceCollection services) => services.AddScoped<WebhookEndpoints>();

    /// <summary>What the code that reports events needs (the partitions, the conflict saga); tests that host those on the harness add the same.</summary>
    public static IServiceCollection AddWebhookOutbox(IServiceCollection services)
    {
        services.AddMemoryCache();
        services.TryAddScoped<WebhookOutbox>();
        services.TryAddSingleton<WebhookTimers>();
        return services;
    }
}
