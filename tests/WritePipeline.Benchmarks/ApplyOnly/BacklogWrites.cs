using WritePipeline.Benchmarks.Pipeline;
using WritePipeline.Contracts;
using WritePipeline.Partitioning;

namespace WritePipeline.Benchmarks.ApplyOnly;

/// <summary>
/// The writes apply_only's submitters send, made in the benchmark process as the rows the worker records for them,
/// for <see cref="TightLoop"/> to record and apply. The API records nothing before its 202, so until a worker runs a
/// backlog is only messages on the partition queues: there are no rows to copy from the pipeline's database.
/// </summary>
public static class BacklogWrites
{
    /// <summary>
    /// <paramref name="perKey"/> replaces of each of <paramref name="keys"/> keys (<paramref name="keyPrefix"/>0, 1,
    /// ...) with the submitters' documents (<see cref="Submitters.Document"/>), in about the order
    /// <see cref="Submitters.PutAsync"/> sends them: <paramref name="concurrency"/> keys at a time, one write of each
    /// in turn, so that each key's writes keep their order.
    /// </summary>
    public static List<BacklogWrite> InSubmissionOrder(string keyPrefix, int keys, int perKey, int concurrency, int partitions)
    {
        var map = new PartitionMap(partitions);
        var clientId = Guid.NewGuid();
        var writes = new List<BacklogWrite>(keys * perKey);
        for (var first = 0; first < keys; first += concurrency)
        {
            var end = Math.Min(keys, first + concurrency);
            for (var seq = 1; seq <= perKey; seq++)
            {
                for (var key = first; key < end; key++)
                {
                    var name = keyPrefix + key;
                    writes.Add(new BacklogWrite(
                        Guid.CreateVersion7(),
                        clientId,
                        Submitters.Collection,
                        name,
                        map.PartitionOf(Submitters.Collection, name),
                        WriteOperations.Replace,
                        Submitters.DocumentText(name, seq),
                        DateTimeOffset.UtcNow));
                }
            }
        }

        return writes;
    }
}

/// <summary>
/// A write as its message carries it, and its partition: what the worker records for a write on its first delivery
/// (ids time-ordered, as the API's are).
/// </summary>
public sealed record BacklogWrite(Guid Id, Guid ClientId, string Collection, string Key, int Partition, string Operation, string Body, DateTimeOffset SubmittedAt);
