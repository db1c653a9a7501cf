using Microsoft.AspNetCore.Mvc;
using WritePipeline.Webhooks;

namespace WritePipeline.OperatorConsole.Pages;

public sealed class WebhooksIndexModel(WebhookEndpoints endpoints) : ConsolePageModel
{
    public IReadOnlyList<WebhookEndpointSummary> Endpoints { get; private set; } = [];

    public Guid? ClientId { get; private set; }

    public async Task OnGetAsync(Guid? client)
    {
        ClientId = client;
        Endpoints = await endpoints.SummariesAsync(client, HttpContext.RequestAborted);
    }

    public async Task<IActionResult> OnPostDisableAsync(Guid endpointId, string? reason) =>
        await RefuseUnlessMayActAsync() ?? Done(await endpoints.DisableByOperatorAsync(endpointId, Actor, reason, HttpContext.RequestAborted), "disable");

    public async Task<IActionResult> OnPostEnableAsync(Guid endpointId) =>
        await RefuseUnlessMayActAsync() ?? Done(await endpoints.EnableByOperatorAsync(endpointId, Actor, null, HttpContext.RequestAborted), "enable");

    RedirectToPageResult Done(WebhookOutcome outcome, string what)
    {
        ReportWebhook(outcome, what);
        return RedirectToPage();
    }
}
