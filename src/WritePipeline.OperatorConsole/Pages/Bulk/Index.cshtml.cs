namespace WritePipeline.OperatorConsole.Pages;

public sealed class BulkIndexModel(BulkActions bulk) : ConsolePageModel
{
    public IReadOnlyList<BulkActionView> Recent { get; private set; } = [];

    public async Task OnGetAsync() => Recent = await bulk.RecentAsync(50, HttpContext.RequestAborted);
}
