using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace WritePipeline.Writes;

/// <summary>How a failed attempt at a database step is treated.</summary>
public enum FailureKind
{
    /// <summary>Passes by itself (connection lost, timeout, deadlock, serialization failure, lock timeout): try again in place.</summary>
    Transient,

    /// <summary>
    /// A lost race with another delivery (a concurrency token or a unique index said another transaction got there
    /// first): try again in place, and the fresh read settles it (usually as a redelivery to skip).
    /// </summary>
    Race,

    /// <summary>The database refused the data (a value too long, a check failed): trying again gives the same answer.</summary>
    Data,

    /// <summary>Not a database failure at all (a bug): left to the caller.</summary>
    Other,
}

/// <summary>
/// Which failures pass by themselves, so that a write is tried again in place, holding its key, and which are the
/// data's own, so that the write ends <c>failed</c> and the writes behind it go on. A data error retried for ever
/// would block its key, and then its partition.
/// </summary>
public static class TransientFailures
{
    public static bool IsTransient(Exception exception) => Classify(exception) is FailureKind.Transient or FailureKind.Race;

    /// <summary>
    /// A failure of no known kind (<see cref="FailureKind.Other"/>: a bug, a row that is gone) that says nothing about
    /// this worker's right to apply the partition: retried a bounded number of times, then its write ends failed. A
    /// lost lease is not one (the partition is another worker's now), nor is a stop.
    /// </summary>
    public static bool IsUnexpected(Exception exception) =>
        Classify(exception) == FailureKind.Other && exception is not (Partitioning.PartitionLeaseLostException or OperationCanceledException);

    public static FailureKind Classify(Exception exception) => exception switch
    {
        // Not the database's failure: this worker may no longer apply the partition's writes at all.
        Partitioning.PartitionLeaseLostException => FailureKind.Other,
        DbUpdateConcurrencyException => FailureKind.Race,
        PostgresException postgres => postgres.SqlState switch
        {
            "23505" => FailureKind.Race,        // unique_violation
            _ when postgres.IsTransient => FailureKind.Transient,
            _ when postgres.SqlState.StartsWith("08", StringComparison.Ordinal) => FailureKind.Transient, // connection
            "57P01" or "57P02" or "57P03" => FailureKind.Transient, // admin shutdown, crash shutdown, cannot connect now
            // The server ended a session that sat idle in a transaction (Database:IdleInTransactionTimeout) or idle:
            // a stalled process, not the data; the next attempt opens a new connection.
            "25P03" or "57P05" => FailureKind.Transient,
            _ => FailureKind.Data,
        },
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or SocketException or TimeoutException
            ? FailureKind.Transient
            : FailureKind.Data,
        SqliteException sqlite => sqlite.SqliteErrorCode switch
        {
            5 or 6 => FailureKind.Transient,    // SQLITE_BUSY, SQLITE_LOCKED
            19 when sqlite.SqliteExtendedErrorCode is 1555 or 2067 => FailureKind.Race, // primary key / unique
            10 or 14 => FailureKind.Transient,  // I/O error, cannot open
            _ => FailureKind.Data,
        },
        SqlException sqlServer => sqlServer.Number switch
        {
            2601 or 2627 => FailureKind.Race,
            1205 or 1222 or -2 or 233 or 10053 or 10054 or 10060 or 40143 or 40197 or 40501 or 40613 or 49918 or 49919 or 49920 or 4060 or 4221
                => FailureKind.Transient,
            _ => FailureKind.Data,
        },
        RetryLimitExceededException or TimeoutException or SocketException or IOException => FailureKind.Transient,
        DbUpdateException { InnerException: { } inner } => Classify(inner),
        DbUpdateException => FailureKind.Data,
        DbException => FailureKind.Transient, // a provider we do not know more of: assume it passes
        InvalidOperationException { InnerException: { } inner } => Classify(inner),
        _ when exception.InnerException is { } inner => Classify(inner),
        _ => FailureKind.Other,
    };

    /// <summary>Exponential backoff from <paramref name="minimum"/>, capped at <paramref name="maximum"/>, with up to 20% jitter.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan minimum, TimeSpan maximum)
    {
        var exponent = Math.Min(attempt - 1, 20);
        var delay = Math.Min(minimum.TotalMilliseconds * Math.Pow(2, exponent), maximum.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay * (1 + (Random.Shared.NextDouble() * 0.2)));
    }
}
