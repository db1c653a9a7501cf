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

    /// <summary>An age as people say it: 40 s, 12 min, 5 h, 3 d.</summary>
    public static string Describe(TimeSpan age) => age switch
    {
        { TotalMinutes: < 1 } => $"{Math.Max(0, (int)age.TotalSeconds)} s",
        { TotalHours: < 1 } => $"{(int)age.TotalMinutes} min",
        { TotalDays: < 2 } => $"{(int)age.TotalHours} h",
        _ => $"{(int)age.TotalDays} d",
    };
}
