using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Telemetry;

namespace WritePipeline.Webhooks;

/// <summary>The webhook deliveries a worker holds, waiting for a delivery slot or being attempted.</summary>
public sealed class WebhookGauges(IServiceProvider services) : IPipelineGauges
{
    public void Create(Meter meter)
    {
        var deliveries = services.GetService<WebhookDispatcher>();
        meter.CreateObservableGauge<long>(
            "writepipeline.webhook.deliveries",
            () => deliveries?.Load() is { } load
                ? [new(load.Waiting, new KeyValuePair<string, object?>("state", "waiting")), new(load.Attempting, new KeyValuePair<string, object?>("state", "attempting"))]
                : [],
            "{delivery}",
            "Webhook deliveries this worker holds: waiting for a delivery slot, or being attempted.");
    }
}
