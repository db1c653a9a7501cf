using WritePipeline.Audit;

namespace WritePipeline.OperatorConsole.Pages;

public sealed class AuditModel(AuditLog log) : ConsolePageModel
{
    public AuditFilter Filter { get; private set; } = new();

    public AuditPage Result { get; private set; } = new([], 0, 1, 50);

    public async Task OnGetAsync(string? actor, string? action, Guid? writeId, DateTime? since, int? pageNumber)
    {
        Filter = FilterFrom(actor, action, writeId, since) with { Page = pageNumber ?? 1 };
        Result = await log.ListAsync(Filter, HttpContext.RequestAborted);
    }

    public Task OnGetExportAsync(string? actor, string? action, Guid? writeId, DateTime? since) =>
        DownloadCsvAsync("audit", output => log.ExportCsvAsync(FilterFrom(actor, action, writeId, since), output, HttpContext.RequestAborted));

    static AuditFilter FilterFrom(string? actor, string? action, Guid? writeId, DateTime? since) => new()
    {
        Actor = string.IsNullOrWhiteSpace(actor) ? null : actor,
        Action = string.IsNullOrWhiteSpace(action) ? null : action,
        WriteId = writeId,
        Since = since is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null,
    };
}
