using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace WritePipeline.OperatorConsole.Pages;

public sealed class SignOutModel : ConsolePageModel
{
    public IActionResult OnGet() => Redirect(ConsoleAuthentication.Path);

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleAuthentication.Scheme);
        return Redirect(ConsoleAuthentication.Path + "/sign-in");
    }
}
