using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using WritePipeline.Clients;

namespace WritePipeline.OperatorConsole.Pages;

/// <summary>The clients with their grants and rate limits; admins replace a client's grants (audited).</summary>
public sealed class ClientsModel(ClientRegistry registry, ClientAdministration administration, IAuthorizationService authorization, IOptions<ClientsOptions> options)
    : ConsolePageModel
{
    public IReadOnlyList<ClientView> Clients { get; private set; } = [];

    public bool CanAdminister { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    /// <param name="grants">The grants, separated by commas or spaces: <c>customers:rw, orders:r</c>; empty takes every grant away.</param>
    public async Task<IActionResult> OnPostGrantsAsync(Guid clientId, string? grants)
    {
        if (!(await authorization.AuthorizeAsync(User, ConsolePolicies.Administer)).Succeeded)
        {
            return Forbid(ConsoleAuthentication.Scheme);
        }

        var (parsed, refusal) = CollectionGrants.Parse((grants ?? string.Empty).Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        (Notice, NoticeIsError) = parsed is null
            ? ($"change grants: not valid. {refusal}", true)
            : await administration.SetGrantsAsync(clientId, parsed, Actor, HttpContext.RequestAborted) is { } changed
                ? ($"change grants: done; {changed.Name} now holds {(changed.Grants.Count == 0 ? "no grant" : string.Join(", ", changed.Grants))}.", false)
                : ("change grants: no such client.", true);
        await LoadAsync();
        return Page();
    }

    async Task LoadAsync()
    {
        CanAdminister = (await authorization.AuthorizeAsync(User, ConsolePolicies.Administer)).Succeeded;
        Clients = [.. (await registry.ListAsync(HttpContext.RequestAborted)).Select(c => ClientView.For(c, options.Value.RateLimit))];
    }
}
