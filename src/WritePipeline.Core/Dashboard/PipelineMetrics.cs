using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;
using WritePipeline.Partitioning;
using WritePipeline.Writes;

namespace WritePipeline.Dashboard;

/// <summary>One minute of the window (its UTC start): writes accepted, applied and conflicted in it.</summary>
public sealed record MinuteCounts(DateTimeOffset Minute, int Accepted, int Applied, int Conflicted);


/// <summary>What an operator's dashboard shows: the last minutes' traffic, the writes waiting for a person, the queues.</summary>
public sealed record DashboardSnapshot
{
    public required DateTimeOffset At { get; init; }

    public required int WindowMinutes { get; init; }

    /// <summary>One entry per minute of the window, oldest first, ending with the current minute.</summary>
    public required IReadOnlyList<MinuteCounts> Minutes { get; init; }

    public required int Accepted { get; init; }

    public required int Applied { get; init; }

    public required int Conflicted { get; init; }

    /// <summary>Conflicted / (applied + conflicted) over the window; 0 when neither happened.</summary>
    public required double ConflictRate { get; init; }

    /// <summary>Parked or notified now: conflicts waiting for a decision.</summary>
    public required int Parked { get; init; }

    public required int Failed { get; init; }

    /// <summary>Waiting behind a conflicted write to the same record.</summary>
    public required int Held { get; init; }

    /// <summary>The oldest parked, notified or failed write's submission; null when none waits.</summary>
    public DateTimeOffset? OldestWaitingSubmittedAt { get; init; }

    public double? OldestWaitingAgeSeconds { get; init; }

    /// <summary>Every partition queue in order, then the conflict queue; null when the broker could not be asked.</summary>
    public IReadOnlyList<QueueDepth>? Queues { get; init; }

    public string? QueuesUnavailableReason { get; init; }
}

/// <summary>
/// The figures behind the operators' dashboard, from the database (counted there, grouped by minute) and the broker.
/// "Conflicted" counts rows of <c>write_conflicts</c> by <see cref="Writes.Detection.WriteConflict.DetectedAt"/>. That table
/// keeps only the latest conflict of each write (a resolution that conflicts again replaces it), so a write is
/// counted once, in the minute it last conflicted, and a write that conflicted earlier but again inside the window
/// moves into the window.
/// </summary>
public sealed class PipelineMetrics(
    WritePipelineDbContext db,
    TimeProvider clock,
    BrokerQueues brokerQueues)
{
    public const int MinMinutes = 5;
    public const int MaxMinutes = 1440;
    public const int DefaultMinutes = 60;

    static readonly string[] WaitingStatuses = [WriteStatus.Parked, WriteStatus.Notified, WriteStatus.Failed];

    static readonly string[] CountedStatuses = [WriteStatus.Parked, WriteStatus.Notified, WriteStatus.Failed, WriteStatus.Held];

    public async Task<DashboardSnapshot> ReadAsync(int minutes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minutes, MinMinutes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minutes, MaxMinutes);

        var now = clock.GetUtcNow();
        var from = WindowStart(now, minutes);
        var to = from.AddMinutes(minutes);
        // The broker is asked while the database counts: a slow broker then costs nothing extra.
        var queues = brokerQueues.ReadAsync(cancellationToken);

        var queries = new MinuteCountQueries(db);
        var accepted = await queries.AcceptedAsync(from, to, cancellationToken);
        var applied = await queries.AppliedAsync(from, to, cancellationToken);
        var conflicted = await queries.ConflictedAsync(from, to, cancellationToken);
        var byStatus = await WriteStatusCounts.ReadAsync(db, CountedStatuses, cancellationToken);

        int CountOf(params string[] statuses) => byStatus.Where(s => statuses.Contains(s.Status)).Sum(s => s.Count);
        var oldest = byStatus.Where(s => WaitingStatuses.Contains(s.Status)).Select(s => (DateTimeOffset?)s.Oldest).Min();
        var series = FillMinutes(from, minutes, accepted, applied, conflicted);
        var (depths, reason) = await queues;
        return new DashboardSnapshot
        {
            At = now,
            WindowMinutes = minutes,
            Minutes = series,
            Accepted = series.Sum(m => m.Accepted),
            Applied = series.Sum(m => m.Applied),
            Conflicted = series.Sum(m => m.Conflicted),
            ConflictRate = ConflictRate(series.Sum(m => m.Applied), series.Sum(m => m.Conflicted)),
            Parked = CountOf(WriteStatus.Parked, WriteStatus.Notified),
            Failed = CountOf(WriteStatus.Failed),
            Held = CountOf(WriteStatus.Held),
            OldestWaitingSubmittedAt = oldest,
            OldestWaitingAgeSeconds = oldest is { } at ? (now - at).TotalSeconds : null,
            Queues = depths,
            QueuesUnavailableReason = reason,
        };
    }

    /// <summary>The start of the window's first minute: the window ends with the minute <paramref name="now"/> is in.</summary>
    internal static DateTimeOffset WindowStart(DateTimeOffset now, int minutes)
    {
        var utc = now.ToUniversalTime();
        var minute = new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        return minute.AddMinutes(1 - minutes);
    }

    /// <summary>One entry per minute from <paramref name="from"/>, zero where a series has no count (keyed by Unix minute).</summary>
    internal static IReadOnlyList<MinuteCounts> FillMinutes(
        DateTimeOffset from, int minutes, IReadOnlyDictionary<long, int> accepted, IReadOnlyDictionary<long, int> applied, IReadOnlyDictionary<long, int> conflicted)
    {
        var first = from.ToUnixTimeSeconds() / 60;
        return [.. Enumerable.Range(0, minutes).Select(i => new MinuteCounts(
            from.AddMinutes(i),
            accepted.GetValueOrDefault(first + i),
            applied.GetValueOrDefault(first + i),
            conflicted.GetValueOrDefault(first + i)))];
    }

    internal static double ConflictRate(int applied, int conflicted) =>
        applied + conflicted == 0 ? 0 : (double)conflicted / (applied + conflicted);
}
