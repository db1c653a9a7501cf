using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using WritePipeline.Operators;
using WritePipeline.Problems;

namespace WritePipeline.Clients;

/// <summary>A client's grants, replacing those it held: <c>customers:rw</c>, <c>orders:r</c>, <c>*:r</c>; none leaves it unable to do anything.</summary>
public sealed record ClientGrantsRequest(IReadOnlyList<string?>? Grants);

/// <summary>A client's own rate limit: requests a second (0: none) and, optionally, the bucket's size (two seconds' worth when left out).</summary>
public sealed record ClientRateRequest(int? PerSecond, int? Burst);

/// <summary>Operators read the clients; admins change a client's grants and give it a rate limit of its own (audited).</summary>
public static class AdminClientsApi
{
    public static IEndpointRouteBuilder MapAdminClientsApi(this IEndpointRouteBuilder app)
    {
        var clients = app.MapGroup("/v1/admin/clients")
            .WithTags("Admin")
            .RequireAuthorization(OperatorPolicies.View)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        clients.MapGet("", List).WithName("AdminListClients")
            .WithDescription("Every client (never its API key) with the collections it may read and write and the rate limit it gets, its own or Clients:RateLimit. Viewer role or above.").WithSummary("The clients, with the rate limit each gets");
        clients.MapGet("/{clientId:guid}", Get).WithName("AdminGetClient")
            .WithDescription("One client (never its API key) with its grants and the rate limit it gets. Viewer role or above; 404 client-not-found for an unknown id.").WithSummary("One client, with the rate limit it gets")
            .ProducesProblem(StatusCodes.Status404NotFound);
        clients.MapPut("/{clientId:guid}/grants", SetGrants).WithName("AdminSetClientGrants")
            .WithDescription("Replaces the client's grants with the list sent (COLLECTION:r, :w or :rw, * for every collection; an empty list takes every grant away). In force at the client's next request to this API process, within 30 s on others. Admin role; audited as client.grants with the grants before and after.")
            .WithSummary("Replace the collections a client may read and write (in force at its next request)")
            .RequireAuthorization(OperatorPolicies.Administer)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        clients.MapPut("/{clientId:guid}/rate-limit", SetRate).WithName("AdminSetClientRateLimit")
            .WithDescription("Gives the client a token bucket of its own: perSecond requests a second on average (0 for no limit) and bursts of burst (two seconds' worth when left out), counted per API process. Admin role; audited as client.rate-limit.")
            .WithSummary("Give a client a rate limit of its own (per API process), over Clients:RateLimit")
            .RequireAuthorization(OperatorPolicies.Administer)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        clients.MapDelete("/{clientId:guid}/rate-limit", ResetRate).WithName("AdminResetClientRateLimit")
            .WithDescription("Takes the client's own rate away: it gets Clients:RateLimit again. Admin role; audited as client.rate-limit.")
            .WithSummary("Return a client to the configured rate limit")
            .RequireAuthorization(OperatorPolicies.Administer)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    static async Task<Ok<IReadOnlyList<ClientView>>> List(ClientRegistry registry, IOptions<ClientsOptions> options, HttpContext http) =>
        TypedResults.Ok<IReadOnlyList<ClientView>>([.. (await registry.ListAsync(http.RequestAborted)).Select(c => ClientView.For(c, options.Value.RateLimit))]);

    static async Task<Results<Ok<ClientView>, ProblemHttpResult>> Get(Guid clientId, ClientRegistry registry, IOptions<ClientsOptions> options, HttpContext http) =>
        await registry.FindAsync(clientId, http.RequestAborted) is { } client
            ? TypedResults.Ok(ClientView.For(client, options.Value.RateLimit))
            : ClientProblems.ClientNotFound(clientId).ToResult();

    static async Task<Results<Ok<ClientView>, ProblemHttpResult>> SetGrants(
        Guid clientId, ClientGrantsRequest request, ClientAdministration administration, HttpContext http)
    {
        if (request.Grants is null)
        {
            return ClientProblems.InvalidGrants("Send 'grants': a list such as [\"customers:rw\", \"orders:r\"] (an empty list takes every grant away).").ToResult();
        }

        var (grants, refusal) = CollectionGrants.Parse(request.Grants);
        if (grants is null)
        {
            return ClientProblems.InvalidGrants(refusal!).ToResult();
        }

        return Changed(clientId, await administration.SetGrantsAsync(clientId, grants, http.User.Actor(), http.RequestAborted));
    }

    static async Task<Results<Ok<ClientView>, ProblemHttpResult>> SetRate(
        Guid clientId, ClientRateRequest request, ClientAdministration administration, HttpContext http)
    {
        if (ClientRate.Refusal(request.PerSecond, request.Burst) is { } refusal)
        {
            return ClientProblems.InvalidClientRate(refusal).ToResult();
        }

        var rate = new ClientRate(request.PerSecond!.Value, request.Burst ?? ClientRate.DefaultBurstFor(request.PerSecond.Value));
        return Changed(clientId, await administration.SetRateAsync(clientId, rate, http.User.Actor(), http.RequestAborted));
    }

    static async Task<Results<Ok<ClientView>, ProblemHttpResult>> ResetRate(Guid clientId, ClientAdministration administration, HttpContext http) =>
        Changed(clientId, await administration.SetRateAsync(clientId, null, http.User.Actor(), http.RequestAborted));

    static Results<Ok<ClientView>, ProblemHttpResult> Changed(Guid clientId, ClientView? changed) =>
        changed is not null ? TypedResults.Ok(changed) : ClientProblems.ClientNotFound(clientId).ToResult();
}
