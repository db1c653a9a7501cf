using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Conflicts;
using WritePipeline.Operators;
using WritePipeline.Webhooks;

namespace WritePipeline.OperatorConsole.Pages;

/// <summary>What every console page shares: who is signed in, whether they may act, and the message of the last action.</summary>
public abstract class ConsolePageModel : PageModel
{
    [TempData]
    public string? Flash { get; set; }

    [TempData]
    public bool FlashIsError { get; set; }

    /// <summary>The outcome of an action answered in place (no redirect): shown in this answer only, never stored.</summary>
    public string? Notice { get; protected set; }

    public bool NoticeIsError { get; protected set; }

    public string OperatorName => User.Identity?.Name ?? string.Empty;

    public string Actor => User.Actor();

    /// <summary>Answers with a CSV export named after <paramref name="name"/>, written by <paramref name="write"/> (<see cref="Audit.Csv"/>).</summary>
    protected Task DownloadCsvAsync(string name, Func<TextWriter, Task> write)
    {
        Response.ContentType = Audit.Csv.ContentType;
        Response.Headers.ContentDisposition = Audit.Csv.Attachment(name);
        return Audit.Csv.WriteAsync(Response.Body, write);
    }

    /// <summary>Viewers see every page but no action; the buttons are hidden and, should a form arrive anyway, refused.</summary>
    public bool CanAct => User.IsInRole(OperatorRoles.Operator) || User.IsInRole(OperatorRoles.Admin);

    /// <summary>Null when the signed-in operator may act; otherwise the 403 to answer (the handler stops there).</summary>
    protected async Task<IActionResult?> RefuseUnlessMayActAsync()
    {
        var authorization = HttpContext.RequestServices.GetRequiredService<IAuthorizationService>();
        return (await authorization.AuthorizeAsync(User, ConsolePolicies.Act)).Succeeded ? null : Forbid(ConsoleAuthentication.Scheme);
    }

    /// <summary>Starts a bulk action and shows its progress page.</summary>
    protected async Task<IActionResult> StartBulkAsync(BulkActions bulk, BulkActionRequest request)
    {
        switch (await bulk.StartAsync(request, Actor, HttpContext.RequestAborted))
        {
            case BulkStart.Started started:
                return Redirect($"{ConsoleAuthentication.Path}/bulk/{started.Bulk.Id}");
            case BulkStart.Invalid invalid:
                (Flash, FlashIsError) = (invalid.Detail, true);
                return Redirect(Uri.TryCreate(Request.Headers.Referer.FirstOrDefault(), UriKind.Absolute, out var back) && Url.IsLocalUrl(back.PathAndQuery)
                    ? back.PathAndQuery
                    : ConsoleAuthentication.Path);
            default:
                throw new InvalidOperationException();
        }
    }

    protected void ReportWebhook(WebhookOutcome outcome, string what)
    {
        (Flash, FlashIsError) = outcome switch
        {
            WebhookOutcome.Changed or WebhookOutcome.Queued => ($"{what}: done.", false),
            WebhookOutcome.Invalid invalid => ($"{what}: not valid. {invalid.Detail}", true),
            WebhookOutcome.NotFound => ($"{what}: no such endpoint or delivery.", true),
            _ => ($"{what}: the broker did not take it; try again.", true),
        };
    }

    protected void Report(DecisionOutcome outcome, string what)
    {
        (Flash, FlashIsError) = outcome switch
        {
            DecisionOutcome.Taken taken => ($"{what}: taken; the write is {taken.Status.Status}.", false),
            DecisionOutcome.Refused refused => ($"{what}: not taken. {refused.Reason}", true),
            DecisionOutcome.Invalid invalid => ($"{what}: not valid. {invalid.Detail}", true),
            DecisionOutcome.NotFound => ($"{what}: the write does not exist.", true),
            _ => ($"{what}: no worker answered in time; the decision was most likely not taken. Read the write again before deciding.", true),
        };
    }
}
