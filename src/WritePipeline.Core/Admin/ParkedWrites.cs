using System.Globalization;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Audit;
using WritePipeline.Data;
using WritePipeline.Writes;
using WritePipeline.Clients;

namespace WritePipeline.Admin;

/// <summary>Which writes an operator is looking for.</summary>
public sealed record ParkedWriteFilter
{
    public string? Collection { get; init; }

    public string? Key { get; init; }

    /// <summary>The conflict kind or failure type.</summary>
    public string? Kind { get; init; }

    public Guid? ClientId { get; init; }

    /// <summary>Only writes submitted at least this long ago.</summary>
    public TimeSpan? OlderThan { get; init; }

    /// <summary>Free text, found in the key or in the submitted document or patch.</summary>
    public string? Search { get; init; }

    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = 50;
}

/// <summary>One write waiting for an operator, as lists show it.</summary>
public sealed record ParkedWriteItem(
    Guid WriteId, string Status, string Collection, string Key, string Operation, Guid ClientId, string? Kind, string? Detail, DateTimeOffset SubmittedAt,
    string? ClientName = null);

public sealed record ParkedWritePage(IReadOnlyList<ParkedWriteItem> Items, int Total, int Page, int PageSize);

/// <summary>Writes waiting for an operator, by collection and conflict kind.</summary>
public sealed record ParkedWriteGroup(string Collection, string Kind, int Count, DateTimeOffset OldestSubmittedAt);

/// <summary>
/// The writes that wait for a person: parked (and notified) conflicts, and writes that failed outright. One query
/// path for the admin API and the console.
/// </summary>
public sealed class ParkedWrites(WritePipelineDbContext db, TimeProvider clock)
{
    public const int MaxPageSize = 500;

    public static readonly string[] WaitingStatuses = [WriteStatus.Parked, WriteStatus.Notified, WriteStatus.Failed];

    public async Task<ParkedWritePage> ListAsync(ParkedWriteFilter filter, CancellationToken cancellationToken)
    {
        var query = Filtered(filter);
        var size = Math.Clamp(filter.PageSize, 1, MaxPageSize);
        var page = Math.Max(filter.Page, 1);
        var total = await query.CountAsync(cancellationToken);
        var items = await Items(query).Skip((page - 1) * size).Take(size).ToListAsync(cancellationToken);
        return new ParkedWritePage(items, total, page, size);
    }

    /// <summary>Every write the filter finds (not one page), oldest first, as CSV.</summary>
    public async Task ExportCsvAsync(ParkedWriteFilter filter, TextWriter output, CancellationToken cancellationToken)
    {
        await using var csv = Csv.Writer(output);
        await Csv.WriteRowAsync(csv, ["write_id", "status", "collection", "key", "operation", "client_id", "client_name", "kind", "detail", "submitted_at"]);
        await foreach (var item in Items(Filtered(filter)).Take(AuditLog.MaxExportRows).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            await Csv.WriteRowAsync(csv,
            [
                item.WriteId.ToString(), item.Status, item.Collection, item.Key, item.Operation, item.ClientId.ToString(), item.ClientName, item.Kind, item.Detail,
                item.SubmittedAt.ToString("O", CultureInfo.InvariantCulture),
            ]);
        }
    }

    IQueryable<ParkedWriteItem> Items(IQueryable<Write> query) =>
        from w in query
        join c in db.Clients.AsNoTracking() on w.ClientId equals c.Id into clients
        from client in clients.DefaultIfEmpty()
        orderby w.SubmittedAt, w.Id
        select new ParkedWriteItem(w.Id, w.Status, w.Collection, w.Key, w.Operation, w.ClientId, w.ErrorType, w.ErrorDetail, w.SubmittedAt, client == null ? null : client.Name);

    IQueryable<Write> Filtered(ParkedWriteFilter filter)
    {
        var query = Waiting();
        if (filter.Collection is { } collection)
        {
            query = query.Where(w => w.Collection == collection);
        }

        if (filter.Key is { } key)
        {
            query = query.Where(w => w.Key == key);
        }

        if (filter.Kind is { } kind)
        {
            query = query.Where(w => w.ErrorType == kind);
        }

        if (filter.ClientId is { } clientId)
        {
            query = query.Where(w => w.ClientId == clientId);
        }

        if (filter.OlderThan is { } age)
        {
            var before = clock.GetUtcNow() - age;
            query = query.Where(w => w.SubmittedAt <= before);
        }

        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var text = filter.Search.Trim();
            query = query.Where(w => w.Key.Contains(text) || (w.Body != null && w.Body.Contains(text)));
        }

        return query;
    }

    public async Task<IReadOnlyList<ParkedWriteGroup>> GroupsAsync(CancellationToken cancellationToken)
    {
        var groups = await Waiting()
            .GroupBy(w => new { w.Collection, Kind = w.ErrorType ?? string.Empty })
            .Select(g => new { g.Key.Collection, g.Key.Kind, Count = g.Count(), Oldest = g.Min(w => w.SubmittedAt) })
            .ToListAsync(cancellationToken);
        return [.. groups.OrderByDescending(g => g.Count).ThenBy(g => g.Collection, StringComparer.Ordinal)
            .Select(g => new ParkedWriteGroup(g.Collection, g.Kind, g.Count, g.Oldest))];
    }

    IQueryable<Write> Waiting() => db.Writes.AsNoTracking().Where(w => WaitingStatuses.Contains(w.Status));
}
