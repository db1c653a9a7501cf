using Microsoft.AspNetCore.Mvc;

namespace WritePipeline.OperatorConsole.Pages;

public sealed class GroupsModel(ParkedWrites writes, BulkActions bulk) : ConsolePageModel
{
    public IReadOnlyList<ParkedWriteGroup> Groups { get; private set; } = [];

    public async Task OnGetAsync() => Groups = await writes.GroupsAsync(HttpContext.RequestAborted);

    public async Task<IActionResult> OnPostBulkAsync(string collection, string? kind, string? action, string? reason) =>
        await RefuseUnlessMayActAsync() ?? await StartBulkAsync(bulk, new BulkActionRequest
        {
            Action = action,
            Reason = reason,
            Collection = collection,
            Kind = string.IsNullOrEmpty(kind) ? null : kind,
        });
}
