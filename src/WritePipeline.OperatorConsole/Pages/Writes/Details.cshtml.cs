using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using WritePipeline.Conflicts;
using WritePipeline.Contracts;

namespace WritePipeline.OperatorConsole.Pages;

public sealed class WriteDetailsModel(WriteDetails details, WriteActions actions) : ConsolePageModel
{
    public WriteDetailsView? Details { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid writeId)
    {
        Details = await details.ReadAsync(writeId, HttpContext.RequestAborted);
        return Details is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostActAsync(Guid writeId, string? action, string? reason, string? document)
    {
        if (await RefuseUnlessMayActAsync() is { } refusal)
        {
            return refusal;
        }

        DecisionOutcome outcome;
        if (action == BulkActions.Restore)
        {
            outcome = await actions.RestoreAsync(writeId, Actor, HttpContext.RequestAborted);
        }
        else if (action == ResolutionActions.Resubmit && ParseObject(document) is not { } edited)
        {
            outcome = new DecisionOutcome.Invalid("The edited document must be a JSON object.");
        }
        else
        {
            var body = action == ResolutionActions.Resubmit ? ParseObject(document) : null;
            outcome = await actions.DecideAsync(writeId, new ResolutionRequest(action, body, reason), Actor, HttpContext.RequestAborted);
        }

        Report(outcome, action ?? "action");
        return RedirectToPage(new { writeId });
    }

    static JsonObject? ParseObject(string? text)
    {
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
