using System.Text.Json;
using WritePipeline.Contracts;

namespace WritePipeline.Partitioning;

/// <summary>
/// Try a write <c>waiting</c> for a record it references again (<see cref="Conflicts.ReferenceRetrySweep"/> sends it when
/// the write is due): taken in the partition's order by the partition's owner, like every change of the write and its
/// key. A copy that finds the write no longer waiting changes nothing.
/// </summary>
public sealed record ReferenceRetry(Guid WriteId, string Collection, string Key);

/// <summary>
/// What travels on a partition queue: a write to apply, a decision about a conflicted write to carry out, or a retry
/// of a write waiting for a reference.
/// Each names a record, and takes its place in that record's order. A closed set: the processor switches over it.
/// </summary>
public abstract record PartitionMessage
{
    PartitionMessage(Guid writeId, string collection, string key)
    {
        WriteId = writeId;
        Collection = collection;
        Key = key;
    }

    /// <summary>The write the message is about: the one applied, decided on or retried.</summary>
    public Guid WriteId { get; }

    public string Collection { get; }

    public string Key { get; }

    /// <summary>A write to apply, in its key's order.</summary>
    public sealed record OfWrite(ApplyWrite Write) : PartitionMessage(Write.WriteId, Write.Collection, Write.Key);

    /// <summary>A decision about a conflicted write, carried out in its key's order.</summary>
    public sealed record OfResolution(ApplyResolution Resolution) : PartitionMessage(Resolution.WriteId, Resolution.Collection, Resolution.Key);

    /// <summary>A retry of a write waiting for a record it references.</summary>
    public sealed record OfRetry(ReferenceRetry Retry) : PartitionMessage(Retry.WriteId, Retry.Collection, Retry.Key);

    public static PartitionMessage For(ApplyWrite write) => new OfWrite(write);

    public static PartitionMessage For(ApplyResolution resolution) => new OfResolution(resolution);

    public static PartitionMessage For(ReferenceRetry retry) => new OfRetry(retry);
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
    public const string RetryType = "retry-reference";

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static (string Type, byte[] Body) Encode(PartitionMessage message) => message switch
    {
        PartitionMessage.OfWrite { Write: var write } => (WriteType, JsonSerializer.SerializeToUtf8Bytes(write, Json)),
        PartitionMessage.OfResolution { Resolution: var resolution } => (ResolutionType, JsonSerializer.SerializeToUtf8Bytes(resolution, Json)),
        PartitionMessage.OfRetry { Retry: var retry } => (RetryType, JsonSerializer.SerializeToUtf8Bytes(retry, Json)),
        _ => throw new ArgumentOutOfRangeException(nameof(message), message.GetType().Name, "Not a partition message kind this worker knows."),
    };

    /// <summary>A delivery as it came off a partition queue: its message, or why it cannot be read (the processor records that on the write).</summary>
    public static PartitionDelivery Read(string? type, string? messageId, ReadOnlyMemory<byte> body, System.Diagnostics.ActivityContext parent = default)
    {
        try
        {
            return new PartitionDelivery(Decode(type, body), messageId, Parent: parent);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException)
        {
            return new PartitionDelivery(null, messageId, $"The message could not be read: {ex.Message}", parent);
        }
    }

    /// <summary>The message, or an exception saying why it cannot be read.</summary>
    public static PartitionMessage Decode(string? type, ReadOnlyMemory<byte> body) => type switch
    {
        WriteType => PartitionMessage.For(JsonSerializer.Deserialize<ApplyWrite>(body.Span, Json)
            ?? throw new JsonException("The body is JSON null.")),
        ResolutionType => PartitionMessage.For(JsonSerializer.Deserialize<ApplyResolution>(body.Span, Json)
            ?? throw new JsonException("The body is JSON null.")),
        RetryType => PartitionMessage.For(JsonSerializer.Deserialize<ReferenceRetry>(body.Span, Json)
            ?? throw new JsonException("The body is JSON null.")),
        _ => throw new NotSupportedException($"A partition message of type '{type}' is not one this worker knows."),
    };
}
