using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using WritePipeline.Data;
using WritePipeline.Writes;

namespace WritePipeline.Dashboard;

/// <summary>
/// The dashboard's per-minute counts, grouped by the database so that a busy day is not loaded row by row. Each
/// query answers (Unix minute, count) for rows with a timestamp in [from, to). The SQL is the same on every provider
/// but for how a stored timestamp becomes a Unix minute, how a timestamp is passed in, and identifier quoting.
/// SQL Server's dialect is untested: no server can run on the machines this was written on.
/// </summary>
sealed class MinuteCountQueries
{
    // 0001-01-01 to 1970-01-01 in minutes: SQLite timestamps count from the former (DateTimeOffset ticks).
    const long UnixEpochMinuteSinceYearOne = 1_035_593_280;

    static readonly DateTimeOffsetToBinaryConverter SqliteTimestamp = new();

    readonly WritePipelineDbContext _db;
    readonly Dialect _dialect;

    public MinuteCountQueries(WritePipelineDbContext db)
    {
        _db = db;
        _dialect = db.Database.IsNpgsql() ? Dialect.PostgreSql
            : db.Database.IsSqlite() ? Dialect.Sqlite
            : db.Database.IsSqlServer() ? Dialect.SqlServer
            : throw new NotSupportedException($"The dashboard cannot count per minute on {db.Database.ProviderName}.");
    }

    enum Dialect
    {
        PostgreSql,
        Sqlite,
        SqlServer,
    }

    /// <summary>Writes submitted per minute; rejected ones never got a receipt, so they were not accepted.</summary>
    public Task<Dictionary<long, int>> AcceptedAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        CountAsync("writes", "SubmittedAt", $"{Quote("Status")} <> {{2}}", WriteStatus.Rejected, from, to, cancellationToken);

    /// <summary>Writes applied per minute, by when they were applied.</summary>
    public Task<Dictionary<long, int>> AppliedAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        CountAsync("writes", "CompletedAt", $"{Quote("Status")} = {{2}}", WriteStatus.Applied, from, to, cancellationToken);

    /// <summary>Conflicts per minute, by when they were detected (the latest detection of each write: see <see cref="PipelineMetrics"/>).</summary>
    public Task<Dictionary<long, int>> ConflictedAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        CountAsync("write_conflicts", "DetectedAt", null, null, from, to, cancellationToken);

    async Task<Dictionary<long, int>> CountAsync(
        string table, string column, string? condition, string? value, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var at = Quote(column);
        // Grouped over a derived column: SQL Server cannot group by an output alias or position.
        var sql = $"SELECT b.m AS {Quote("Minute")}, {(_dialect == Dialect.SqlServer ? "COUNT_BIG(*)" : "COUNT(*)")} AS {Quote("Count")} "
            + $"FROM (SELECT {UnixMinuteOf(at)} AS m FROM {Quote(table)} WHERE {at} >= {{0}} AND {at} < {{1}}"
            + (condition is null ? string.Empty : " AND " + condition)
            + ") AS b GROUP BY b.m";
        object[] parameters = value is null ? [Timestamp(from), Timestamp(to)] : [Timestamp(from), Timestamp(to), value];
        var rows = await _db.Database.SqlQueryRaw<MinuteCount>(sql, parameters).ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Minute, r => checked((int)r.Count));
    }

    string UnixMinuteOf(string column) => _dialect switch
    {
        // Epoch seconds of a timestamptz do not depend on the session's time zone (date_trunc would).
        Dialect.PostgreSql => $"floor(extract(epoch from {column}) / 60)::bigint",
        // EF's DateTimeOffsetToBinaryConverter stores ((Ticks / 1000) << 11) | offset minutes, Ticks being the clock
        // time of the value's own offset; the pipeline only stores UTC times, so the high bits count 100 µs since year
        // one in UTC, 600,000 of them a minute. Every value is positive, so / truncates like floor.
        Dialect.Sqlite => $"(({column} >> 11) / 600000) - {UnixEpochMinuteSinceYearOne}",
        // DATEDIFF converts datetimeoffset to UTC and counts minute boundaries crossed: floor, after 1970.
        _ => $"DATEDIFF_BIG(minute, CAST('1970-01-01T00:00:00+00:00' AS datetimeoffset), {column})",
    };

    /// <summary>A bound timestamp as the column stores it: SQLite compares the converter's numbers, not text.</summary>
    object Timestamp(DateTimeOffset at) => _dialect == Dialect.Sqlite ? SqliteTimestamp.ConvertToProvider(at)! : at;

    string Quote(string identifier) => _dialect == Dialect.SqlServer ? $"[{identifier}]" : $"\"{identifier}\"";

    sealed class MinuteCount
    {
        public long Minute { get; init; }

        public long Count { get; init; }
    }
}
