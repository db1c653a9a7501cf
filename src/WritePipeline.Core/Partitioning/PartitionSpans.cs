using System.Diagnostics;
using WritePipeline.Contracts;
using WritePipeline.Telemetry;

namespace WritePipeline.Partitioning;

/// <summary>
/// The spans of a partition message: its send, the batch it is applied in, and its own apply, in the write's trace
/// (<see cref="PipelineTracing"/> carries the context in the message's headers).
/// </summary>
public static class PartitionSpans
{
    /// <summary>The publish of a partition message (a producer span, child of the request or step that sends it).</summary>
    public static Activity? StartSend(int partition, PartitionMessage message)
    {
        if (!PipelineTracing.Source.HasListeners())
        {
            return null;
        }

        var span = PipelineTracing.Source.StartActivity("writepipeline.send", ActivityKind.Producer);
        if (span is { IsAllDataRequested: true })
        {
            PipelineTracing.TagMessaging(span, PipelineTracing.RabbitMq, PartitionMap.QueueName(partition), "send");
            span.SetTag("messaging.message.id", message.WriteId.ToString());
            PipelineTracing.TagWrite(span, message.WriteId, message.Collection, partition, OperationOf(message));
        }

        return span;
    }

    /// <summary>
    /// A batch taken from a partition queue, linked to the trace of each of its messages (each message's own apply
    /// span is in that trace: <see cref="StartApplyAside"/>). Current while the batch runs, so its queries are under it.
    /// </summary>
    public static Activity? StartApplyBatch(string? system, int partition, IReadOnlyList<PartitionDelivery> deliveries)
    {
        if (!PipelineTracing.Source.HasListeners())
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

        var span = PipelineTracing.Source.StartActivity("writepipeline.apply.batch", ActivityKind.Consumer, default(ActivityContext), links: links);
        if (span is { IsAllDataRequested: true })
        {
            PipelineTracing.TagMessaging(span, system, PartitionMap.QueueName(partition), "process");
            span.SetTag("messaging.batch.message_count", deliveries.Count);
            span.SetTag(PipelineTracing.PartitionTag, partition);
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
        if (!PipelineTracing.Source.HasListeners())
        {
            return null;
        }

        var span = PipelineTracing.Source.StartActivity("writepipeline.apply", ActivityKind.Consumer, parent);
        if (span is { IsAllDataRequested: true })
        {
            PipelineTracing.TagMessaging(span, system, PartitionMap.QueueName(partition), "process");
            span.SetTag("messaging.message.id", writeId.ToString());
            PipelineTracing.TagWrite(span, writeId, collection, partition, operation);
        }

        return span;
    }

    static string OperationOf(PartitionMessage message) => message switch
    {
        PartitionMessage.OfWrite { Write: var write } => write.Operation,
        PartitionMessage.OfResolution { Resolution: var resolution } => "resolution:" + resolution.Action,
        _ => "check",
    };
}
