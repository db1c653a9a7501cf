namespace WritePipeline.Partitioning;

/// <summary>
/// What <see cref="PartitionOwnership"/> asks of the worker's partition consumers: start one under a claim, stop one
/// after its batch at hand, abort one whose lease was lost.
/// </summary>
public interface IPartitionConsumers
{
    /// <summary>Starts consuming the claim's partition, once any earlier consumer of it in this worker has finished.</summary>
    void Start(PartitionClaim claim);

    /// <summary>Stops consuming a partition gracefully (the batch at hand is applied, up to <paramref name="grace"/>); returns once nothing of it runs here.</summary>
    Task StopAsync(int partition, TimeSpan grace);

    /// <summary>The lease was lost: stops consuming the partition at once, committing nothing more.</summary>
    void Abort(int partition);
}
