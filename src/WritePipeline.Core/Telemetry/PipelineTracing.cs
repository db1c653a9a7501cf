using System.Diagnostics;
using System.Text;
using WritePipeline.Contracts;
using WritePipeline.Partitioning;

namespace WritePipeline.Telemetry;

/// <summary>
/// The pipeline's own spans (activity source <c>WritePipeline</c>) and the W3C trace context (<c>traceparent</c>,
/// <c>tracestate</c>) that keeps one write in one trace: from the API's request, in the partition message's AMQP
/// headers, to the apply on a worker, and in the Quartz data of a webhook delivery's timer to its attempts.
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

    static readonly ActivitySource Source = new(SourceName);

    /// <summary>Whether anyone records the pipeline's spans.</summary>
    public static bool IsTracing => Source.HasListeners();

    /// <summary>The publish of a partition message (a producer span, child of the request or step that sends it).</summary>
    public static Activity? StartSend(int partition, PartitionMessage message)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var span = Source.StartActivity("writepipeline.send", ActivityKind.Producer);
        if (span is { IsAllDataRequested: true })
        {
            Messaging(span, RabbitMq, PartitionTopology.QueueName(partition), "send");
            span.SetTag("messaging.message.id", message.WriteId.ToString());
            Write(span, message.WriteId, message.Collection, partition, OperationOf(message));
        }

        return span;
    }

    /// <summary>
    /// A batch taken from a partition queue, linked to the trace of each of its messages (each message's own apply
    /// span is in that trace: <see cref="StartApplyAside"/>). Current while the batch runs, so its queries are under it.
    /// </summary>
    public static Activity? StartApplyBatch(string? system, int partition, IReadOnlyList<PartitionDelivery> deliveries)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var links = new List<ActivityLink>(deliveries.Count);
        foreach (var delivery in deliveries)
        {
            if (delivery.Parent != default)
            {
                links.Add(new ActivityLink(delivery.Parent));
            }
        }

        var span = Source.StartActivity("writepipeline.apply.batch", ActivityKind.Consumer, default(ActivityContext), links: links);
        if (span is { IsAllDataRequested: true })
        {
            Messaging(span, system, PartitionTopology.QueueName(partition), "process");
            span.SetTag("messaging.batch.message_count", deliveries.Count);
            span.SetTag(PartitionTag, partition);
        }

        return span;
    }

    /// <summary>
    /// One message's apply, in the message's trace (under the span that sent it; under the current span when it came
    /// without one), started without becoming current: a batch applies many writes at once, and each write's span is
    /// made current only where that write alone is at work.
    /// </summary>
    public static Activity? StartApplyAside(string? system, ActivityContext parent, ApplyWrite write, int partition)
    {
        var previous = Activity.Current;
        var span = StartApply(system, parent, write.WriteId, write.Collection, partition, write.Operation);
        Activity.Current = previous;
        return span;
    }

    /// <summary>One message's apply, made current: a decision about a conflicted write (and the writes it releases).</summary>
    public static Activity? StartApply(string? system, ActivityContext parent, ApplyResolution resolution, int partition) =>
        StartApply(system, parent, resolution.WriteId, resolution.Collection, partition, "resolution:" + resolution.Action);

    static Activity? StartApply(string? system, ActivityContext parent, Guid writeId, string collection, int partition, string operation)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var span = Source.StartActivity("writepipeline.apply", ActivityKind.Consumer, parent);
        if (span is { IsAllDataRequested: true })
        {
            Messaging(span, system, PartitionTopology.QueueName(partition), "process");
            span.SetTag("messaging.message.id", writeId.ToString());
            Write(span, writeId, collection, partition, operation);
        }

        return span;
    }

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
    static void Messaging(Activity span, string? system, string destination, string operation)
    {
        span.SetTag("messaging.system", system);
        span.SetTag("messaging.destination.name", destination);
        span.SetTag("messaging.operation.type", operation);
    }

    static void Write(Activity span, Guid writeId, string collection, int partition, string operation)
    {
        span.SetTag(WriteIdTag, writeId.ToString());
        span.SetTag(CollectionTag, collection);
        span.SetTag(PartitionTag, partition);
        span.SetTag(OperationTag, operation);
    }

    static string OperationOf(PartitionMessage message) => message switch
    {
        { Write: { } write } => write.Operation,
        { Resolution: { } resolution } => "resolution:" + resolution.Action,
        _ => "check",
    };
}
