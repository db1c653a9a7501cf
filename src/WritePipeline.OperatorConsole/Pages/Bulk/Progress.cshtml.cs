using Microsoft.AspNetCore.Mvc;

namespace WritePipeline.OperatorConsole.Pages;

public sealed class BulkProgressModel(BulkActions bulk) : ConsolePageModel
{
    public BulkActionView? Bulk { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid bulkId)
    {
        Bulk = await bulk.FindAsync(bulkId, HttpContext.RequestAborted);
        return Bulk is null ? NotFound() : Page();
    }
}
