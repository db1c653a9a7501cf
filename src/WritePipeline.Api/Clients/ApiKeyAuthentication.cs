using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using WritePipeline.Problems;

namespace WritePipeline.Clients;

/// <summary><c>Authorization: Bearer &lt;api key&gt;</c>; the authenticated principal carries the client's id.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ClientsByKey clients,
    IOptions<ClientsOptions> settings)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ClientIdClaim = "client_id";
    const string RatePerSecondClaim = "rate_per_second";
    const string RateBurstClaim = "rate_burst";
    const string GrantsClaim = "grants";

    const string UnknownKey = "Unknown API key.";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <api key>'.");
        }

        var apiKey = header["Bearer ".Length..].Trim();
        if (!ApiKeys.IsWellFormed(apiKey))
        {
            return AuthenticateResult.Fail(UnknownKey);
        }

        // From memory for a key this process has seen, whatever the database is doing (ClientsByKey).
        if (await clients.FindAsync(apiKey, Context.RequestAborted) is not { } client)
        {
            return AuthenticateResult.Fail(UnknownKey);
        }

        var rate = ClientRate.Of(client, settings.Value.RateLimit);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClientIdClaim, client.Id.ToString()),
                new Claim(ClaimTypes.Name, client.Name),
                new Claim(RatePerSecondClaim, rate.PerSecond.ToString(CultureInfo.InvariantCulture)),
                new Claim(RateBurstClaim, rate.Burst.ToString(CultureInfo.InvariantCulture)),
                new Claim(GrantsClaim, client.Grants),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>The collections the client a principal of this scheme stands for may read and write.</summary>
    public static CollectionGrants GrantsOf(ClaimsPrincipal user) => CollectionGrants.FromStored(user.FindFirstValue(GrantsClaim));

    /// <summary>The rate of the client a principal of this scheme stands for.</summary>
    public static ClientRate RateOf(ClaimsPrincipal user) => new(
        int.Parse(user.FindFirstValue(RatePerSecondClaim)!, CultureInfo.InvariantCulture),
        int.Parse(user.FindFirstValue(RateBurstClaim)!, CultureInfo.InvariantCulture));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var result = await HandleAuthenticateOnceSafeAsync();
        var detail = result.Failure?.Message ?? "Send 'Authorization: Bearer <api key>'.";
        await ProblemCatalog.Unauthorized(detail).WriteAsync(Context);
    }
}

public static class ClientPrincipal
{
    /// <summary>The id of the authenticated client; endpoints that call this require authentication.</summary>
    public static Guid ClientId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(ApiKeyAuthenticationHandler.ClientIdClaim)
            ?? throw new InvalidOperationException("The request is not authenticated."));
}
