using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Data;
using WritePipeline.Telemetry;
using WritePipeline.Writes;

namespace WritePipeline.Conflicts;

/// <summary>
/// The gauges of the writes that wait and of the conflict sagas, from the database: writes waiting by status (waiting for a reference, held,
/// notified, parked, failed), the oldest one waiting for a person, and conflict sagas by state. They are the whole
/// cluster's, so every host reports the same figures. Read in the background when a scrape finds them older than
/// <see cref="TelemetryOptions.GaugeInterval"/>, so a scrape never waits for the database and nothing is read while
/// nobody looks; the gauges report nothing until the first reading, and the last one while the database cannot be read.
/// </summary>
public sealed class WaitingWriteGauges(IServiceScopeFactory scopes, TimeProvider clock, IOptions<TelemetryOptions> options, ILogger<WaitingWriteGauges> logger)
    : IPipelineGauges
{
    static readonly string[] WaitingStatuses = [WriteStatus.Waiting, WriteStatus.Held, WriteStatus.Notified, WriteStatus.Parked, WriteStatus.Failed];

    /// <summary>The statuses that wait for a person (a decision, or an operator's retry): the oldest of them is the age alerted on.</summary>
    static readonly string[] ForAPerson = [WriteStatus.Notified, WriteStatus.Parked, WriteStatus.Failed];

    readonly BackgroundReading<Reading> _reading = new(
        cancellationToken => ReadAsync(scopes, cancellationToken),
        clock,
        () => options.Value.GaugeInterval,
        ex => logger.LogWarning(ex, "Could not read the waiting writes and saga states for the metrics; the gauges keep their last figures"));

    public void Create(Meter meter)
    {
        meter.CreateObservableGauge(
            "writepipeline.writes.waiting",
            () => Last() is { } last ? last.Waiting.Select(w => new Measurement<long>(w.Value, new KeyValuePair<string, object?>("status", w.Key))) : [],
            "{write}",
            "Writes held behind a conflict, notified (the submitter decides), parked (an operator decides) and failed, in the whole pipeline.");
        meter.CreateObservableGauge(
            "writepipeline.writes.oldest_waiting.age",
            () => Last() is { } last
                ? [new Measurement<double>(last.OldestWaiting is { } at ? Math.Max(0, (clock.GetUtcNow() - at).TotalSeconds) : 0)]
                : Array.Empty<Measurement<double>>(),
            "s",
            "Since the submission of the oldest write waiting for a person (notified, parked or failed); 0 when none waits.");
        meter.CreateObservableGauge(
            "writepipeline.conflict.sagas",
            () => Last() is { } last ? last.Sagas.Select(s => new Measurement<long>(s.Value, new KeyValuePair<string, object?>("state", s.Key))) : [],
            "{saga}",
            "Conflict sagas by state, in the whole pipeline.");
    }

    /// <summary>The last reading, asking for a new one when it is as old as the gauge interval; null until the first.</summary>
    public Reading? Last() => _reading.Last();

    static async Task<Reading> ReadAsync(IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
        var writes = await WriteStatusCounts.ReadAsync(db, WaitingStatuses, cancellationToken);
        var sagas = await db.ConflictSagas.AsNoTracking()
            .GroupBy(s => s.CurrentState)
            .Select(g => new { State = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return new Reading(
            WaitingStatuses.ToDictionary(s => s, s => (long)(writes.SingleOrDefault(w => w.Status == s)?.Count ?? 0)),
            writes.Where(w => ForAPerson.Contains(w.Status)).Select(w => (DateTimeOffset?)w.Oldest).Min(),
            sagas.ToDictionary(s => s.State, s => (long)s.Count));
    }

    /// <param name="OldestWaiting">When the oldest write waiting for a person was submitted; null when none waits.</param>
    public sealed record Reading(IReadOnlyDictionary<string, long> Waiting, DateTimeOffset? OldestWaiting, IReadOnlyDictionary<string, long> Sagas);
}
