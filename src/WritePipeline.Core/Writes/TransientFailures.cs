using System.Data.Common;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace WritePipeline.Writes;

/// <summary>
/// Which failures pass by themselves (database unreachable, busy, a lost race with another delivery), so that the
/// write is tried again in place, holding its key, rather than given up.
/// </summary>
public static class TransientFailures
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        DbUpdateException => true,          // includes concurrency-token and unique-index races; a retry re-reads
        DbException => true,                // SqliteException (busy), NpgsqlException, SqlException
        RetryLimitExceededException => true,
        TimeoutException => true,
        SocketException => true,
        _ when exception.InnerException is { } inner => IsTransient(inner),
        _ => false,
    };

    /// <summary>Exponential backoff from <paramref name="minimum"/>, capped at <paramref name="maximum"/>, with up to 20% jitter.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan minimum, TimeSpan maximum)
    {
        var exponent = Math.Min(attempt - 1, 20);
        var delay = Math.Min(minimum.TotalMilliseconds * Math.Pow(2, exponent), maximum.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay * (1 + (Random.Shared.NextDouble() * 0.2)));
    }
}
