using System.Diagnostics;
using WritePipeline.Telemetry;

namespace WritePipeline.Partitioning;

/// <summary>
/// One delivery from a partition queue: its message, or why it could not be read; and the trace context it came with
/// (<see cref="PipelineTracing"/>; none while this process does not trace).
/// </summary>
public sealed record PartitionDelivery(PartitionMessage? Message, string? MessageId, string? Unreadable = null, ActivityContext Parent = default)
{
    public static PartitionDelivery Read(string? type, string? messageId, ReadOnlyMemory<byte> body, ActivityContext parent = default)
    {
        try
        {
            return new PartitionDelivery(PartitionMessageFormat.Decode(type, body), messageId, Parent: parent);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException or ArgumentException)
        {
            return new PartitionDelivery(null, messageId, $"The message could not be read: {ex.Message}", parent);
        }
    }
}
