using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace WritePipeline.Operators;

/// <summary>How a signed-in operator is named: by its id, its name and its role, whichever scheme signed it in.</summary>
public static class OperatorPrincipal
{
    /// <summary>The claim that carries the operator's id.</summary>
    public const string IdClaim = "operator_id";

    public static ClaimsPrincipal For(Operator account, string scheme) => new(new ClaimsIdentity(
        [
            new Claim(IdClaim, account.Id.ToString()),
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
    /// <summary>The scheme of the admin API's operator tokens (<c>Authorization: Bearer wpo_...</c>), which the API host authenticates.</summary>
    public const string TokenScheme = "OperatorToken";

    public const string View = "operators.view";
    public const string Act = "operators.act";
    public const string Administer = "operators.administer";

    public static AuthorizationBuilder AddOperatorPolicies(this AuthorizationBuilder authorization) =>
        authorization.AddRolePolicies(TokenScheme, View, Act, Administer);

    /// <summary>The roles behind each policy, for any sign-in scheme (admin API tokens, the console's cookie).</summary>
    public static AuthorizationBuilder AddRolePolicies(this AuthorizationBuilder authorization, string scheme, string view, string act, string administer) => authorization
        .AddPolicy(view, policy => policy.AddAuthenticationSchemes(scheme).RequireRole(OperatorRoles.Viewer, OperatorRoles.Operator, OperatorRoles.Admin))
        .AddPolicy(act, policy => policy.AddAuthenticationSchemes(scheme).RequireRole(OperatorRoles.Operator, OperatorRoles.Admin))
        .AddPolicy(administer, policy => policy.AddAuthenticationSchemes(scheme).RequireRole(OperatorRoles.Admin));
}
