using System.Diagnostics;
using System.Text;

namespace WritePipeline.Telemetry;

/// <summary>
/// The pipeline's own spans (activity source <c>WritePipeline</c>) and the W3C trace context (<c>traceparent</c>,
/// <c>tracestate</c>) that keeps one write in one trace: from the API's request, in the partition message's AMQP
/// headers (the partition spans: <c>PartitionSpans</c>), to the apply on a worker, and in the Quartz data of a webhook delivery's timer to its attempts.
/// docs/operations.md, "Traces", lists the spans and their attributes.
/// </summary>
/// <remarks>
/// Nothing here costs anything while no tracer listens (tracing off): the spans are not created, and a worker does not
/// even read the headers. The API still passes on the context of the request it is in when it has one, so that a
/// caller's trace goes on in workers that do trace.
/// </remarks>
public static class PipelineTracing
{
    public const string SourceName = "WritePipeline";

    public const string WriteIdTag = "writepipeline.write_id";
    public const string CollectionTag = "writepipeline.collection";
    public const string PartitionTag = "writepipeline.partition";
    public const string OperationTag = "writepipeline.operation";
    public const string OutcomeTag = "writepipeline.outcome";

    /// <summary>The <c>messaging.system</c> of the partition queues on RabbitMQ; the embedded mode's in-process queues have none.</summary>
    public const string RabbitMq = "rabbitmq";

    /// <summary>The pipeline's activity source; the features start their spans on it (e.g. <c>PartitionSpans</c>).</summary>
    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>Whether anyone records the pipeline's spans.</summary>
    public static bool IsTracing => Source.HasListeners();

    /// <summary>One attempt at a webhook delivery, in the trace of the step that recorded it (or of the attempt before it).</summary>
    public static Activity? StartWebhookDelivery(ActivityContext parent, Guid deliveryId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var span = Source.StartActivity("writepipeline.webhook.deliver", ActivityKind.Internal, parent);
        span?.SetTag("writepipeline.webhook.delivery_id", deliveryId.ToString());
        return span;
    }

    /// <summary>Names the delivery's write and event on the current attempt's span (<see cref="StartWebhookDelivery"/>).</summary>
    public static void TagWebhookDelivery(Guid writeId, string eventType, int attempt)
    {
        if (Activity.Current is { IsAllDataRequested: true } span && span.Source == Source)
        {
            span.SetTag(WriteIdTag, writeId.ToString());
            span.SetTag("writepipeline.webhook.event", eventType);
            span.SetTag("writepipeline.webhook.attempt", attempt);
        }
    }

    /// <summary>Records what became of the step on its span.</summary>
    public static void SetOutcome(this Activity? span, object outcome)
    {
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(OutcomeTag, outcome.ToString());
        }
    }

    /// <summary>
    /// The AMQP headers that carry <paramref name="span"/>'s context (null without one: a message sent outside any
    /// trace carries no headers).
    /// </summary>
    public static Dictionary<string, object?>? AmqpHeaders(Activity? span)
    {
        if (span is null)
        {
            return null;
        }

        var headers = new Dictionary<string, object?>(2, StringComparer.Ordinal);
        DistributedContextPropagator.Current.Inject(span, headers, static (carrier, name, value) => ((Dictionary<string, object?>)carrier!)[name] = value);
        return headers;
    }

    /// <summary>The context a partition message carries in its AMQP headers (RabbitMQ.Client gives strings back as bytes); none while nobody traces.</summary>
    public static ActivityContext FromAmqpHeaders(IDictionary<string, object?>? headers) =>
        headers is null || !Source.HasListeners() ? default : Extract(headers, static (object? carrier, string name, out string? value, out IEnumerable<string>? values) =>
        {
            values = null;
            value = ((IDictionary<string, object?>)carrier!).TryGetValue(name, out var raw)
                ? raw switch
                {
                    byte[] bytes => Encoding.UTF8.GetString(bytes),
                    string text => text,
                    _ => null,
                }
                : null;
        });

    /// <summary>Adds <paramref name="span"/>'s context to a timer's data (nothing without one).</summary>
    public static void AddTo(Activity? span, IDictionary<string, string> data)
    {
        if (span is not null)
        {
            DistributedContextPropagator.Current.Inject(span, data, static (carrier, name, value) => ((IDictionary<string, string>)carrier!)[name] = value);
        }
    }

    /// <summary>The context in a timer's data, read by <paramref name="read"/> (null for a key it does not have); none when it has none.</summary>
    public static ActivityContext FromTimerData(Func<string, string?> read) =>
        Extract(read, static (object? carrier, string name, out string? value, out IEnumerable<string>? values) =>
        {
            values = null;
            value = ((Func<string, string?>)carrier!)(name);
        });

    static ActivityContext Extract(object carrier, DistributedContextPropagator.PropagatorGetterCallback getter)
    {
        DistributedContextPropagator.Current.ExtractTraceIdAndState(carrier, getter, out var traceParent, out var traceState);
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }

    /// <summary>OpenTelemetry's messaging conventions, as far as they fit a partition queue.</summary>
    public static void TagMessaging(Activity span, string? system, string destination, string operation)
    {
        span.SetTag("messaging.system", system);
        span.SetTag("messaging.destination.name", destination);
        span.SetTag("messaging.operation.type", operation);
    }

    /// <summary>The write a span is about.</summary>
    public static void TagWrite(Activity span, Guid writeId, string collection, int partition, string operation)
    {
        span.SetTag(WriteIdTag, writeId.ToString());
        span.SetTag(CollectionTag, collection);
        span.SetTag(PartitionTag, partition);
        span.SetTag(OperationTag, operation);
    }
}
