namespace WritePipeline.Partitioning;

/// <summary>
/// What a partition's consumer hands its batches to, in order: it returns once every delivery of the batch has
/// committed, and the consumer acknowledges the batch only then. Owned here and implemented above (the apply path), so
/// that consuming a partition knows nothing of what applying means.
/// </summary>
public interface IPartitionBatchProcessor
{
    Task ProcessAsync(int partition, IReadOnlyList<PartitionDelivery> deliveries, CancellationToken cancellationToken);
}
