using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using WritePipeline.Operators;

namespace WritePipeline.OperatorConsole.Pages;

public sealed class SignInModel(OperatorRegistry operators, ILogger<SignInModel> logger) : ConsolePageModel
{
    public string? Error { get; private set; }

    public string? Name { get; private set; }

    public string? ReturnUrl { get; private set; }

    public void OnGet(string? returnUrl) => ReturnUrl = returnUrl;

    public async Task<IActionResult> OnPostAsync(string? name, string? password, string? returnUrl)
    {
        (Name, ReturnUrl) = (name, returnUrl);
        var account = string.IsNullOrEmpty(name) || string.IsNullOrEmpty(password)
            ? null
            : await operators.SignInAsync(name, password, HttpContext.RequestAborted);
        if (account is null)
        {
            logger.LogWarning("Console sign-in refused for {OperatorName} from {RemoteAddress}", name, HttpContext.Connection.RemoteIpAddress);
            Error = "Unknown name or wrong password. After several wrong ones in a row an account is locked for a few minutes.";
            return Page();
        }

        await HttpContext.SignInAsync(ConsoleAuthentication.Scheme, ConsoleAuthentication.PrincipalFor(account));
        logger.LogInformation("Operator {OperatorName} signed in to the console", account.Name);
        // Only back into the console: a return URL elsewhere would make the sign-in page an open redirect.
        return LocalRedirect(returnUrl is { } url && url.StartsWith(ConsoleAuthentication.Path, StringComparison.Ordinal) && Url.IsLocalUrl(url) ? url : ConsoleAuthentication.Path);
    }
}
