using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc;

namespace WritePipeline.OperatorConsole.Pages;

public sealed class WritesIndexModel(ParkedWrites writes, BulkActions bulk) : ConsolePageModel
{
    const int PageSize = 50;

    public ParkedWriteFilter Filter { get; private set; } = new();

    public ParkedWritePage Result { get; private set; } = new([], 0, 1, PageSize);

    /// <summary>The filter as a query string, for the pager and the export link.</summary>
    public string QueryString => QueryFor(null);

    // Not "page": Razor Pages keeps that name for the page's own route value, so it would never bind.
    public async Task OnGetAsync(string? collection, string? key, string? kind, Guid? client, int? olderThanMinutes, string? q, int? pageNumber)
    {
        Filter = FilterFrom(collection, key, kind, client, olderThanMinutes, q, pageNumber);
        Result = await writes.ListAsync(Filter, HttpContext.RequestAborted);
    }

    public async Task OnGetExportAsync(string? collection, string? key, string? kind, Guid? client, int? olderThanMinutes, string? q) =>
        await DownloadCsvAsync("parked-writes", output =>
            writes.ExportCsvAsync(FilterFrom(collection, key, kind, client, olderThanMinutes, q, 1), output, HttpContext.RequestAborted));

    public async Task<IActionResult> OnPostBulkAsync(List<Guid> ids, string? action, string? reason)
    {
        if (await RefuseUnlessMayActAsync() is { } refusal)
        {
            return refusal;
        }

        if (ids.Count == 0)
        {
            (Flash, FlashIsError) = ("Select at least one write.", true);
            return Redirect(Request.GetEncodedPathAndQuery());
        }

        return await StartBulkAsync(bulk, new BulkActionRequest { Action = action, Reason = reason, WriteIds = ids });
    }

    public string QueryFor(int? page)
    {
        var query = new QueryBuilder();
        Add("collection", Filter.Collection);
        Add("key", Filter.Key);
        Add("kind", Filter.Kind);
        Add("client", Filter.ClientId?.ToString());
        Add("olderThanMinutes", Filter.OlderThan?.TotalMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("q", Filter.Search);
        Add("pageNumber", page?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return query.ToQueryString().Value?.TrimStart('?') ?? string.Empty;

        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                query.Add(name, value);
            }
        }
    }

    static ParkedWriteFilter FilterFrom(string? collection, string? key, string? kind, Guid? client, int? olderThanMinutes, string? q, int? page) => new()
    {
        Collection = Blank(collection),
        Key = Blank(key),
        Kind = Blank(kind),
        ClientId = client,
        OlderThan = olderThanMinutes is { } minutes and > 0 ? TimeSpan.FromMinutes(minutes) : null,
        Search = Blank(q),
        Page = Math.Max(page ?? 1, 1),
        PageSize = PageSize,
    };

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
