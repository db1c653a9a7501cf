using Microsoft.Extensions.Logging;

namespace WritePipeline.Writes;

/// <summary>
/// The logging scope of one write's step on a worker: every line logged in it carries <c>WriteId</c>, <c>Collection</c>,
/// <c>Key</c> and <c>Partition</c> (and, once the write's span is current, the write's trace id).
/// </summary>
public static class WriteLogScope
{
    public static IDisposable? BeginWriteScope(this ILogger logger, Guid writeId, string collection, string key, int partition) =>
        logger.BeginScope(new Dictionary<string, object>(4, StringComparer.Ordinal)
        {
            ["WriteId"] = writeId,
            ["Collection"] = collection,
            ["Key"] = key,
            ["Partition"] = partition,
        });
}
