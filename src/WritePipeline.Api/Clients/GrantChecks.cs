using Microsoft.AspNetCore.Http.HttpResults;
using WritePipeline.Problems;

namespace WritePipeline.Clients;

/// <summary>Where a client's grants (<see cref="CollectionGrants"/>) are checked: every endpoint that reads or writes a collection's records.</summary>
public static class GrantChecks
{
    /// <summary>The client must hold <paramref name="access"/> on the route's <c>{collection}</c>; else 403 <c>forbidden</c> naming the grant.</summary>
    public static TBuilder RequireGrant<TBuilder>(this TBuilder builder, CollectionAccess access)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
            context.HttpContext.GetRouteValue("collection") is string collection && Refusal(context.HttpContext, collection, access) is { } refused
                ? refused
                : await next(context));
        return builder.WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
    }

    /// <summary>403 <c>forbidden</c> when the request's client does not hold <paramref name="access"/> on <paramref name="collection"/>; null when it does.</summary>
    public static ProblemHttpResult? Refusal(HttpContext http, string collection, CollectionAccess access) =>
        ApiKeyAuthenticationHandler.GrantsOf(http.User).Allows(collection, access)
            ? null
            : ProblemCatalog.Forbidden($"This client has no '{(access == CollectionAccess.Read ? "r" : "w")}' grant on '{collection}' (grants: {Describe(http)}).").ToResult();

    static string Describe(HttpContext http) => ApiKeyAuthenticationHandler.GrantsOf(http.User).ToString() is { Length: > 0 } grants ? grants : "none";
}
