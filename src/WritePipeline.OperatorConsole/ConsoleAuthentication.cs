using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Data;
using WritePipeline.Operators;

namespace WritePipeline.OperatorConsole;

/// <summary>
/// The console's sign-in: a cookie of its own, sent only to /console, never readable by script, only over HTTPS
/// (<see cref="OperatorConsoleOptions.SecureCookies"/>), never on a cross-site request. Only operator accounts
/// get one; an API client's key opens nothing here, and a console cookie opens no API endpoint.
/// </summary>
public static class ConsoleAuthentication
{
    public const string Scheme = "OperatorConsole";
    public const string CookieName = "wp_console";
    public const string AntiforgeryCookieName = "wp_console_af";
    public const string Path = "/console";

    public static void Configure(CookieAuthenticationOptions options, CookieSecurePolicy secure)
    {
        options.Cookie.Name = CookieName;
        options.Cookie.Path = Path;
        options.Cookie.HttpOnly = true;
        options.Cookie.SecurePolicy = secure;
        options.Cookie.SameSite = SameSiteMode.Strict;
        options.LoginPath = Path + "/sign-in";
        options.LogoutPath = Path + "/sign-out";
        options.AccessDeniedPath = Path + "/denied";
        options.ExpireTimeSpan = TimeSpan.FromHours(8);
        options.SlidingExpiration = true;
        options.Events.OnValidatePrincipal = ValidateAsync;
    }

    /// <summary>Which version of the account a cookie was issued for: it changes with the role and the password.</summary>
    const string StampClaim = "operator_stamp";

    public static ClaimsPrincipal PrincipalFor(Operator account)
    {
        var principal = OperatorPrincipal.For(account, Scheme);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(StampClaim, Stamp(account.Role, account.PasswordHash)));
        return principal;
    }

    /// <summary>
    /// A removed operator, one whose role changed, or one given new credentials (a compromised account) is signed out
    /// at the next request, not when the cookie expires.
    /// </summary>
    static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.FindFirstValue(OperatorPrincipal.IdClaim);
        var stamp = context.Principal?.FindFirstValue(StampClaim);
        var db = context.HttpContext.RequestServices.GetRequiredService<WritePipelineDbContext>();
        var current = Guid.TryParse(id, out var operatorId)
            ? await db.Operators.AsNoTracking().Where(o => o.Id == operatorId).Select(o => new { o.Role, o.PasswordHash }).SingleOrDefaultAsync(context.HttpContext.RequestAborted)
            : null;
        if (current is null || stamp != Stamp(current.Role, current.PasswordHash))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    static string Stamp(string role, string passwordHash) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(role + "\n" + passwordHash)))[..32];
}

/// <summary>The console's policies, by what they allow; the same roles as the admin API's (<see cref="OperatorPolicies"/>).</summary>
public static class ConsolePolicies
{
    public const string View = "console.view";
    public const string Act = "console.act";
    public const string Administer = "console.administer";

    public static AuthorizationBuilder AddConsolePolicies(this AuthorizationBuilder authorization) =>
        authorization.AddRolePolicies(ConsoleAuthentication.Scheme, View, Act, Administer);
}
