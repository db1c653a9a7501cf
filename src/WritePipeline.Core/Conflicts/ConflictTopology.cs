namespace WritePipeline.Conflicts;

/// <summary>Where conflict sagas receive their messages: one queue, consumed by every worker.</summary>
public static class ConflictTopology
{
    public const string QueueName = "write-conflicts";

    /// <summary>The queue's own exchange (declared before any send, like the partitions'; docs/architecture.md, "RabbitMQ behaviours").</summary>
    public static Uri SendAddress { get; } = new("exchange:" + QueueName);
}
