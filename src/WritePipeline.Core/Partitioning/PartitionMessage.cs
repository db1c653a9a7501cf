using System.Text.Json;
using WritePipeline.Contracts;

namespace WritePipeline.Partitioning;

/// <summary>
/// What travels on a partition queue: a write to apply, or a decision about a conflicted write to carry out. Both
/// name a record, and take their place in that record's order.
/// </summary>
public sealed record PartitionMessage
{
    PartitionMessage(ApplyWrite? write, ApplyResolution? resolution)
    {
        Write = write;
        Resolution = resolution;
    }

    public ApplyWrite? Write { get; }

    public ApplyResolution? Resolution { get; }

    public Guid WriteId => Write?.WriteId ?? Resolution!.WriteId;

    public string Collection => Write?.Collection ?? Resolution!.Collection;

    public string Key => Write?.Key ?? Resolution!.Key;

    public static PartitionMessage For(ApplyWrite write) => new(write, null);

    public static PartitionMessage For(ApplyResolution resolution) => new(null, resolution);
}

/// <summary>
/// The wire format of partition messages: the contract as JSON in the body, its kind in the AMQP <c>type</c>
/// property, the write's id as the message id. Plain JSON rather than MassTransit's envelope: the partition queues
/// are read by the pipeline's own consumer (<see cref="RabbitMqPartitionConsumers"/>).
/// </summary>
public static class PartitionMessageFormat
{
    public const string ContentType = "application/json";
    public const string WriteType = "apply-write";
    public const string ResolutionType = "apply-resolution";

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static (string Type, byte[] Body) Encode(PartitionMessage message) => message.Write is { } write
        ? (WriteType, JsonSerializer.SerializeToUtf8Bytes(write, Json))
        : (ResolutionType, JsonSerializer.SerializeToUtf8Bytes(message.Resolution!, Json));

    /// <summary>The message, or an exception saying why it cannot be read (the caller records that on the write).</summary>
    public static PartitionMessage Decode(string? type, ReadOnlyMemory<byte> body) => type switch
    {
        WriteType => PartitionMessage.For(JsonSerializer.Deserialize<ApplyWrite>(body.Span, Json)
            ?? throw new JsonException("The body is JSON null.")),
        ResolutionType => PartitionMessage.For(JsonSerializer.Deserialize<ApplyResolution>(body.Span, Json)
            ?? throw new JsonException("The body is JSON null.")),
        _ => throw new NotSupportedException($"A partition message of type '{type}' is not one this worker knows."),
    };
}
