using Microsoft.AspNetCore.Mvc;
using WritePipeline.Operators;

namespace WritePipeline.OperatorConsole.Pages;

/// <summary>Admins manage operator accounts; new credentials are shown in the answer to the form, never kept.</summary>
public sealed class OperatorsModel(OperatorAdministration administration) : ConsolePageModel
{
    public IReadOnlyList<OperatorView> Accounts { get; private set; } = [];

    public OperatorCredentials? Credentials { get; private set; }

    public async Task OnGetAsync() => Accounts = await administration.ListAsync(HttpContext.RequestAborted);

    public async Task<IActionResult> OnPostCreateAsync(string? name, string? role) =>
        await ShowAsync(await administration.CreateAsync(name, role, Actor, HttpContext.RequestAborted), "add");

    public async Task<IActionResult> OnPostRoleAsync(Guid operatorId, string? role) =>
        await ShowAsync(await administration.ChangeRoleAsync(operatorId, role, Actor, HttpContext.RequestAborted), "change role");

    public async Task<IActionResult> OnPostResetAsync(Guid operatorId) =>
        await ShowAsync(await administration.ResetCredentialsAsync(operatorId, Actor, HttpContext.RequestAborted), "new credentials");

    public async Task<IActionResult> OnPostRemoveAsync(Guid operatorId) =>
        await ShowAsync(await administration.RemoveAsync(operatorId, Actor, HttpContext.RequestAborted), "remove");

    /// <summary>Answers with the page itself (not a redirect), so that new credentials are shown once and stored nowhere.</summary>
    async Task<IActionResult> ShowAsync(OperatorChange change, string what)
    {
        (Notice, NoticeIsError) = change switch
        {
            OperatorChange.Done or OperatorChange.Removed => ($"{what}: done.", false),
            OperatorChange.Invalid invalid => ($"{what}: not valid. {invalid.Detail}", true),
            OperatorChange.Refused refused => ($"{what}: refused. {refused.Detail}", true),
            _ => ($"{what}: no such operator.", true),
        };
        Credentials = (change as OperatorChange.Done)?.Credentials;
        Accounts = await administration.ListAsync(HttpContext.RequestAborted);
        return Page();
    }
}
