using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
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
            : AuthenticateResult.Success(new AuthenticationTicket(OperatorPrincipal.For(account, OperatorPolicies.TokenScheme), OperatorPolicies.TokenScheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var result = await HandleAuthenticateOnceSafeAsync();
        await ProblemCatalog.Unauthorized(result.Failure?.Message ?? "Send 'Authorization: Bearer <operator token>'.").WriteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemCatalog.Forbidden("Your role does not allow this.").WriteAsync(Context);
}
