using System.Diagnostics;
using WritePipeline.Telemetry;

namespace WritePipeline.Partitioning;

/// <summary>
/// One delivery from a partition queue: its message, or why it could not be read (<see cref="PartitionMessageFormat.Read"/>);
/// and the trace context it came with (<see cref="PipelineTracing"/>; none while this process does not trace).
/// </summary>
public sealed record PartitionDelivery(PartitionMessage? Message, string? MessageId, string? Unreadable = null, ActivityContext Parent = default);
