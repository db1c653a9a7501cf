namespace WritePipeline.Partitioning;

/// <summary>
/// Which partitions a worker should own, given the live workers: every worker computes the same answer from the same
/// list, so they agree without talking. Workers are ordered by id and deal the partitions out in turn, so each gets
/// partitions/workers, rounded down or up (8 over 3 workers: 3, 3 and 2).
/// </summary>
public static class PartitionAssignment
{
    /// <summary>The partitions <paramref name="worker"/> should own; none while it is not among <paramref name="liveWorkers"/>.</summary>
    public static IReadOnlySet<int> ShareOf(string worker, IEnumerable<string> liveWorkers, int partitions)
    {
        var ordered = liveWorkers.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var place = ordered.IndexOf(worker);
        return place < 0
            ? new HashSet<int>()
            : Enumerable.Range(0, partitions).Where(p => p % ordered.Count == place).ToHashSet();
    }
}
