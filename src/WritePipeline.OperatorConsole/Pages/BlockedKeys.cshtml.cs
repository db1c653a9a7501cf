namespace WritePipeline.OperatorConsole.Pages;

public sealed class BlockedKeysModel(BlockedKeys blocked) : ConsolePageModel
{
    public IReadOnlyList<BlockedKey> Keys { get; private set; } = [];

    public async Task OnGetAsync(string? collection) => Keys = await blocked.ListAsync(collection, 200, HttpContext.RequestAborted);
}
