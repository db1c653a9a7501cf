using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using WritePipeline.Audit;
using WritePipeline.Json;
using WritePipeline.Operators;
using WritePipeline.Problems;

namespace WritePipeline.Clients;

/// <summary>A client's rate limit as it applies: its own (<paramref name="Own"/>) or the configured one.</summary>
public sealed record ClientRateView(int PerSecond, int Burst, bool Own);

/// <summary>A client as operators see it (never its API key).</summary>
public sealed record ClientView(Guid Id, string Name, DateTimeOffset CreatedAt, string? ConflictPolicy, ClientRateView RateLimit)
{
    public static ClientView For(Client client, ClientRateLimitOptions defaults)
    {
        var rate = ClientRate.Of(client, defaults);
        return new(client.Id, client.Name, client.CreatedAt, client.ConflictPolicy, new ClientRateView(rate.PerSecond, rate.Burst, client.RatePerSecond is not null));
    }
}

/// <summary>A client's own rate limit: requests a second (0: none) and, optionally, the bucket's size (two seconds' worth when left out).</summary>
public sealed record ClientRateRequest(int? PerSecond, int? Burst);

/// <summary>Operators read the clients; admins give one a rate limit of its own (audited).</summary>
public static class AdminClientsApi
{
    public static IEndpointRouteBuilder MapAdminClientsApi(this IEndpointRouteBuilder app)
    {
        var clients = app.MapGroup("/v1/admin/clients")
            .WithTags("Admin")
            .RequireAuthorization(OperatorPolicies.View)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        clients.MapGet("", List).WithName("AdminListClients").WithSummary("The clients, with the rate limit each gets");
        clients.MapGet("/{clientId:guid}", Get).WithName("AdminGetClient").WithSummary("One client, with the rate limit it gets")
            .ProducesProblem(StatusCodes.Status404NotFound);
        clients.MapPut("/{clientId:guid}/rate-limit", SetRate).WithName("AdminSetClientRateLimit")
            .WithSummary("Give a client a rate limit of its own (per API process), over Clients:RateLimit")
            .RequireAuthorization(OperatorPolicies.Administer)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        clients.MapDelete("/{clientId:guid}/rate-limit", ResetRate).WithName("AdminResetClientRateLimit")
            .WithSummary("Return a client to the configured rate limit")
            .RequireAuthorization(OperatorPolicies.Administer)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    static async Task<Ok<IReadOnlyList<ClientView>>> List(ClientRegistry registry, IOptions<WritePipelineOptions> options, HttpContext http) =>
        TypedResults.Ok<IReadOnlyList<ClientView>>([.. (await registry.ListAsync(http.RequestAborted)).Select(c => ClientView.For(c, options.Value.Clients.RateLimit))]);

    static async Task<Results<Ok<ClientView>, ProblemHttpResult>> Get(Guid clientId, ClientRegistry registry, IOptions<WritePipelineOptions> options, HttpContext http) =>
        await registry.FindAsync(clientId, http.RequestAborted) is { } client
            ? TypedResults.Ok(ClientView.For(client, options.Value.Clients.RateLimit))
            : ProblemCatalog.ClientNotFound(clientId);

    static async Task<Results<Ok<ClientView>, ProblemHttpResult>> SetRate(
        Guid clientId, ClientRateRequest request, ClientRegistry registry, AuditLog audit, IOptions<WritePipelineOptions> options, HttpContext http)
    {
        if (ClientRate.Refusal(request.PerSecond, request.Burst) is { } refusal)
        {
            return ProblemCatalog.InvalidClientRate(refusal);
        }

        var rate = new ClientRate(request.PerSecond!.Value, request.Burst ?? ClientRate.DefaultBurstFor(request.PerSecond.Value));
        return await ChangeRateAsync(clientId, rate, registry, audit, options, http);
    }

    static Task<Results<Ok<ClientView>, ProblemHttpResult>> ResetRate(
        Guid clientId, ClientRegistry registry, AuditLog audit, IOptions<WritePipelineOptions> options, HttpContext http) =>
        ChangeRateAsync(clientId, null, registry, audit, options, http);

    static async Task<Results<Ok<ClientView>, ProblemHttpResult>> ChangeRateAsync(
        Guid clientId, ClientRate? rate, ClientRegistry registry, AuditLog audit, IOptions<WritePipelineOptions> options, HttpContext http)
    {
        var defaults = options.Value.Clients.RateLimit;
        if (await registry.FindAsync(clientId, http.RequestAborted) is not { } before || !await registry.SetRateAsync(clientId, rate, http.RequestAborted))
        {
            return ProblemCatalog.ClientNotFound(clientId);
        }

        var after = await registry.FindAsync(clientId, http.RequestAborted) ?? before;
        await audit.RecordAsync(
            new AuditEntry
            {
                Actor = http.User.Actor(),
                Action = "client.rate-limit",
                Subject = $"client {before.Name} ({before.Id})",
                Outcome = AuditOutcomes.Taken,
                Before = Json(ClientView.For(before, defaults).RateLimit),
                After = Json(ClientView.For(after, defaults).RateLimit),
            },
            CancellationToken.None);
        return TypedResults.Ok(ClientView.For(after, defaults));
    }

    static string Json(ClientRateView rate) =>
        new JsonObject { ["perSecond"] = rate.PerSecond, ["burst"] = rate.Burst, ["own"] = rate.Own }.ToReadableJson();
}
