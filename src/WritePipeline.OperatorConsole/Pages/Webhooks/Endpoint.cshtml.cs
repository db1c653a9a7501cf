using Microsoft.AspNetCore.Mvc;
using WritePipeline.Webhooks;

namespace WritePipeline.OperatorConsole.Pages;

public sealed class WebhookEndpointModel(WebhookEndpoints endpoints) : ConsolePageModel
{
    public WebhookEndpointSummary? Endpoint { get; private set; }

    public IReadOnlyList<WebhookDeliveryView> Deliveries { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid endpointId)
    {
        Endpoint = await endpoints.SummaryAsync(endpointId, HttpContext.RequestAborted);
        if (Endpoint is null)
        {
            return NotFound();
        }

        Deliveries = (await endpoints.DeliveriesAsync(endpointId, null, 50, HttpContext.RequestAborted))?.Items ?? [];
        return Page();
    }

    public async Task<IActionResult> OnPostResendAsync(Guid endpointId, Guid deliveryId)
    {
        if (await RefuseUnlessMayActAsync() is { } refusal)
        {
            return refusal;
        }

        ReportWebhook(await endpoints.ResendByOperatorAsync(endpointId, deliveryId, Actor, HttpContext.RequestAborted), "resend");
        return RedirectToPage(new { endpointId });
    }
}
