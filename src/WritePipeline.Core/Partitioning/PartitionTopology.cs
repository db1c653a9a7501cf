namespace WritePipeline.Partitioning;

/// <summary>Names and addresses of the partition queues: the one place that spells them.</summary>
public static class PartitionTopology
{
    const string Prefix = "writes-p";

    /// <summary>The queue (and the exchange bound to it) of partition <paramref name="partition"/>.</summary>
    public static string QueueName(int partition) => Prefix + partition.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
