using Npgsql;

namespace WritePipeline.Benchmarks.Pipeline;

/// <summary>What the pipeline's <c>writes</c> table says about a set of writes, picked by a LIKE pattern on their key.</summary>
/// <remarks>
/// Table and column names are the EF model's (WritePipelineDbContext: table <c>writes</c>, columns named after the
/// properties of <c>Write</c>). A write has a row only once a worker has taken its message (the API records nothing
/// before its 202). Times are the hosts' own: <c>SubmittedAt</c> set by the API when it accepts the write (the worker
/// records it from the message), <c>CompletedAt</c> by the worker when the write becomes final; both clocks are this
/// machine's.
/// </remarks>
public sealed class WriteTable(NpgsqlDataSource data)
{
    public async Task<long> CountNotQueuedAsync(string keyPattern)
    {
        await using var command = data.CreateCommand("""SELECT count(*) FROM writes WHERE "Key" LIKE $1 AND "Status" <> 'queued'""");
        command.Parameters.Add(new NpgsqlParameter { Value = keyPattern });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<long> CountAsync(string keyPattern, string status)
    {
        await using var command = data.CreateCommand("""SELECT count(*) FROM writes WHERE "Key" LIKE $1 AND "Status" = $2""");
        command.Parameters.Add(new NpgsqlParameter { Value = keyPattern });
        command.Parameters.Add(new NpgsqlParameter { Value = status });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>How many writes there are of each status, e.g. "applied 2000, failed 3", to say what went wrong.</summary>
    public async Task<string> StatusesAsync(string keyPattern)
    {
        await using var command = data.CreateCommand("""SELECT "Status", count(*) FROM writes WHERE "Key" LIKE $1 GROUP BY "Status" ORDER BY 1""");
        command.Parameters.Add(new NpgsqlParameter { Value = keyPattern });
        await using var reader = await command.ExecuteReaderAsync();
        var parts = new List<string>();
        while (await reader.ReadAsync())
        {
            parts.Add($"{reader.GetString(0)} {reader.GetInt64(1)}");
        }

        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    /// <summary>Counts, the span from the first submission to the last completion, and submit-to-applied percentiles.</summary>
    public async Task<WriteSummary> SummarizeAsync(string keyPattern)
    {
        // percentile_disc: a latency some write really had (nearest rank), like the benchmark's own percentiles.
        await using var command = data.CreateCommand("""
            SELECT count(*),
                   count(*) FILTER (WHERE "Status" = 'applied'),
                   min("SubmittedAt"),
                   min("CompletedAt"),
                   max("CompletedAt"),
                   percentile_disc(0.50) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM ("CompletedAt" - "SubmittedAt"))::float8 * 1000) FILTER (WHERE "Status" = 'applied'),
                   percentile_disc(0.99) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM ("CompletedAt" - "SubmittedAt"))::float8 * 1000) FILTER (WHERE "Status" = 'applied')
            FROM writes
            WHERE "Key" LIKE $1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = keyPattern });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new WriteSummary(
            reader.GetInt64(0),
            reader.GetInt64(1),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
            reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
            reader.IsDBNull(5) ? null : reader.GetDouble(5),
            reader.IsDBNull(6) ? null : reader.GetDouble(6));
    }
}

public sealed record WriteSummary(
    long Count,
    long Applied,
    DateTimeOffset? FirstSubmitted,
    DateTimeOffset? FirstCompleted,
    DateTimeOffset? LastCompleted,
    double? P50Milliseconds,
    double? P99Milliseconds)
{
    /// <summary>From the first submission to the last completion.</summary>
    public TimeSpan Span => LastCompleted is { } last && FirstSubmitted is { } first ? last - first : TimeSpan.Zero;
}
