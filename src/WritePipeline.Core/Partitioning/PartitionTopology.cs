namespace WritePipeline.Partitioning;

/// <summary>Names and addresses of the partition queues: the one place that spells them.</summary>
public static class PartitionTopology
{
    const string Prefix = "writes-p";

    /// <summary>The queue (and the exchange bound to it) of partition <paramref name="partition"/>.</summary>
    public static string QueueName(int partition) => Prefix + partition.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Where the API sends a write. The exchange, not <c>queue:</c>: sending to a queue address makes the sender
    /// declare the queue with default arguments, which RabbitMQ refuses for a quorum queue with single active
    /// consumer, and the send then hangs (ENVIRONMENT.md, trap 5).
    /// </summary>
    public static Uri SendAddress(int partition) => new("exchange:" + QueueName(partition));
}
