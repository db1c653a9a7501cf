using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Problems;

namespace WritePipeline.Operators;

/// <summary>
/// <c>Authorization: Bearer wpo_...</c>: an operator's admin API token. Only operator endpoints use this scheme, so an
/// API client's key never reaches them, and an operator token opens no client endpoint.
/// </summary>
public sealed class OperatorTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OperatorRegistry operators)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "OperatorToken";
    public const string OperatorIdClaim = "operator_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var account = await operators.FindByTokenAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        return account is null
            ? AuthenticateResult.Fail("Unknown operator token.")
            : AuthenticateResult.Success(new AuthenticationTicket(OperatorPrincipal.For(account, SchemeName), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var result = await HandleAuthenticateOnceSafeAsync();
        await ProblemCatalog.Unauthorized(result.Failure?.Message ?? "Send 'Authorization: Bearer <operator token>'.").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemCatalog.Forbidden("Your role does not allow this.").ExecuteAsync(Context);
}

public static class OperatorPrincipal
{
    public static ClaimsPrincipal For(Operator account, string scheme) => new(new ClaimsIdentity(
        [
            new Claim(OperatorTokenAuthenticationHandler.OperatorIdClaim, account.Id.ToString()),
            new Claim(ClaimTypes.Name, account.Name),
            new Claim(ClaimTypes.Role, account.Role),
        ],
        scheme));

    /// <summary>How decisions and the audit log name an operator: <c>operator:NAME</c>.</summary>
    public const string ActorPrefix = "operator:";

    /// <summary>How decisions name who took them.</summary>
    public static string Actor(this ClaimsPrincipal user) => ActorPrefix + user.Identity!.Name;
}

/// <summary>The operator policies, by what they allow: looking, acting on writes, administering.</summary>
public static class OperatorPolicies
{
    public const string View = "operators.view";
    public const string Act = "operators.act";
    public const string Administer = "operators.administer";

    public static AuthorizationBuilder AddOperatorPolicies(this AuthorizationBuilder authorization) =>
        authorization.AddRolePolicies(OperatorTokenAuthenticationHandler.SchemeName, View, Act, Administer);

    /// <summary>The roles behind each policy, for any sign-in scheme (admin API tokens, the console's cookie).</summary>
    public static AuthorizationBuilder AddRolePolicies(this AuthorizationBuilder authorization, string scheme, string view, string act, string administer) => authorization
        .AddPolicy(view, policy => policy.AddAuthenticationSchemes(scheme).RequireRole(OperatorRoles.Viewer, OperatorRoles.Operator, OperatorRoles.Admin))
        .AddPolicy(act, policy => policy.AddAuthenticationSchemes(scheme).RequireRole(OperatorRoles.Operator, OperatorRoles.Admin))
        .AddPolicy(administer, policy => policy.AddAuthenticationSchemes(scheme).RequireRole(OperatorRoles.Admin));
}
