using System.Text;

namespace WritePipeline.Partitioning;

/// <summary>
/// Maps a record's (collection, key) to its partition, and a partition to its queue. Deterministic across processes,
/// machines and restarts (FNV-1a over UTF-8, never <see cref="string.GetHashCode()"/>), because per-key order only
/// holds while a key's partition never changes.
/// </summary>
public sealed class PartitionMap(int partitionCount)
{
    const ulong FnvOffsetBasis = 14695981039346656037;
    const ulong FnvPrime = 1099511628211;
    const string QueuePrefix = "writes-p";

    /// <summary>The queue (and the exchange bound to it) of partition <paramref name="partition"/>: the one place that spells it.</summary>
    public static string QueueName(int partition) => QueuePrefix + partition.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public int PartitionCount { get; } = partitionCount > 0
        ? partitionCount
        : throw new ArgumentOutOfRangeException(nameof(partitionCount), "There must be at least one partition.");

    public int PartitionOf(string collection, string key) => (int)(Hash(collection, key) % (ulong)PartitionCount);

    /// <summary>What the hash is taken of: collection and key, separated by a byte no name may hold.</summary>
    static string RecordIdentity(string collection, string key) => string.Concat(collection, "\0", key);

    internal static ulong Hash(string collection, string key)
    {
        var hash = FnvOffsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(RecordIdentity(collection, key)))
        {
            hash ^= b;
            hash *= FnvPrime;
        }

        return hash;
    }
}
