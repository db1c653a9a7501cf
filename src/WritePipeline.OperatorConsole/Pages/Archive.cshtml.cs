using Microsoft.AspNetCore.Mvc;

namespace WritePipeline.OperatorConsole.Pages;

public sealed class ArchiveModel(Archive archive, WriteActions actions) : ConsolePageModel
{
    public ArchivePage Result { get; private set; } = new([], 0, 1, 50);

    public string? Collection { get; private set; }

    public string? Key { get; private set; }

    public async Task OnGetAsync(string? collection, string? key, int? pageNumber)
    {
        (Collection, Key) = (collection, key);
        Result = await archive.ListAsync(collection, key, pageNumber ?? 1, 50, HttpContext.RequestAborted);
    }

    public async Task<IActionResult> OnPostRestoreAsync(Guid writeId)
    {
        if (await RefuseUnlessMayActAsync() is { } refusal)
        {
            return refusal;
        }

        Report(await actions.RestoreAsync(writeId, Actor, HttpContext.RequestAborted), "restore");
        return Redirect($"{ConsoleAuthentication.Path}/writes/{writeId}");
    }
}
