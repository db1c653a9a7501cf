using System.Globalization;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;

namespace WritePipeline.Audit;

/// <summary>Which audit entries to show.</summary>
public sealed record AuditFilter
{
    public string? Actor { get; init; }

    /// <summary>An action, or a prefix of one ending in a dot (<c>write.</c>).</summary>
    public string? Action { get; init; }

    public Guid? WriteId { get; init; }

    public DateTimeOffset? Since { get; init; }

    public DateTimeOffset? Until { get; init; }

    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = 50;
}

public sealed record AuditEntryView(
    Guid Id, DateTimeOffset At, string Actor, string Action, Guid? WriteId, string? Subject, string Outcome, string? Detail, string? Reason, string? Before, string? After)
{
    public static AuditEntryView For(AuditEntry entry) => new(
        entry.Id, entry.At, entry.Actor, entry.Action, entry.WriteId, entry.Subject, entry.Outcome, entry.Detail, entry.Reason, entry.Before, entry.After);
}

public sealed record AuditPage(IReadOnlyList<AuditEntryView> Items, int Total, int Page, int PageSize);

/// <summary>The operators' audit log: written by every operator action, read by the console, the admin API and exports.</summary>
public sealed class AuditLog(WritePipelineDbContext db, TimeProvider clock)
{
    public const int MaxPageSize = 500;

    /// <summary>Exports are capped so one request cannot read an unbounded table into a response.</summary>
    public const int MaxExportRows = 100_000;

    public async Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        Add(entry);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Adds <paramref name="entry"/> to the caller's unit of work: it is saved, or not, with the change it records.</summary>
    public void Add(AuditEntry entry)
    {
        entry.Id = entry.Id == Guid.Empty ? Guid.CreateVersion7() : entry.Id;
        entry.At = clock.GetUtcNow();
        // The log takes whatever was asked, however long (a refused 5,000-character reason is worth recording too).
        entry.Actor = Cut(entry.Actor, AuditEntry.MaxActorLength)!;
        entry.Action = Cut(entry.Action, AuditEntry.MaxActionLength)!;
        entry.Subject = Cut(entry.Subject, AuditEntry.MaxSubjectLength);
        entry.Detail = Cut(entry.Detail, AuditEntry.MaxDetailLength);
        entry.Reason = Cut(entry.Reason, AuditEntry.MaxReasonLength);
        db.Set<AuditEntry>().Add(entry);
    }

    public async Task<AuditPage> ListAsync(AuditFilter filter, CancellationToken cancellationToken)
    {
        var query = Filtered(filter);
        var size = Math.Clamp(filter.PageSize, 1, MaxPageSize);
        var page = Math.Max(filter.Page, 1);
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip((page - 1) * size).Take(size).ToListAsync(cancellationToken);
        return new AuditPage([.. items.Select(AuditEntryView.For)], total, page, size);
    }

    public async Task<IReadOnlyList<AuditEntryView>> ForWriteAsync(Guid writeId, CancellationToken cancellationToken) =>
        [.. (await db.Set<AuditEntry>().AsNoTracking().Where(e => e.WriteId == writeId).OrderBy(e => e.At).ToListAsync(cancellationToken))
            .Select(AuditEntryView.For)];

    /// <summary>The filtered log as CSV, newest first.</summary>
    public async Task ExportCsvAsync(AuditFilter filter, TextWriter output, CancellationToken cancellationToken)
    {
        await using var csv = Csv.Writer(output);
        await Csv.WriteRowAsync(csv, ["at", "actor", "action", "write_id", "subject", "outcome", "detail", "reason", "before", "after"]);
        await foreach (var entry in Filtered(filter).OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
                           .Take(MaxExportRows).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            await Csv.WriteRowAsync(csv,
            [
                entry.At.ToString("O", CultureInfo.InvariantCulture), entry.Actor, entry.Action, entry.WriteId?.ToString(), entry.Subject,
                entry.Outcome, entry.Detail, entry.Reason, entry.Before, entry.After,
            ]);
        }
    }

    static string? Cut(string? text, int length) => text is null || text.Length <= length ? text : text[..(length - 1)] + "…";

    IQueryable<AuditEntry> Filtered(AuditFilter filter)
    {
        var query = db.Set<AuditEntry>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            query = query.Where(e => e.Actor == filter.Actor.Trim());
        }

        if (!string.IsNullOrWhiteSpace(filter.Action))
        {
            var action = filter.Action.Trim();
            query = action.EndsWith('.') ? query.Where(e => e.Action.StartsWith(action)) : query.Where(e => e.Action == action);
        }

        if (filter.WriteId is { } writeId)
        {
            query = query.Where(e => e.WriteId == writeId);
        }

        // Stored and compared in UTC (PostgreSQL refuses other offsets; SQLite would compare local clock ticks).
        if (filter.Since?.ToUniversalTime() is { } since)
        {
            query = query.Where(e => e.At >= since);
        }

        if (filter.Until?.ToUniversalTime() is { } until)
        {
            query = query.Where(e => e.At < until);
        }

        return query;
    }
}
