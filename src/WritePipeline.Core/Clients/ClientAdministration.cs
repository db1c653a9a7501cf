using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using WritePipeline.Audit;
using WritePipeline.Json;

namespace WritePipeline.Clients;

/// <summary>
/// The changes an administrator makes to a client, from the admin API or the console: each one applied, then audited
/// (<c>client.grants</c>, <c>client.rate-limit</c>) with the value before and after.
/// </summary>
public sealed class ClientAdministration(ClientRegistry registry, AuditLog audit, IOptions<ClientsOptions> options)
{
    ClientRateLimitOptions Defaults => options.Value.RateLimit;

    /// <summary>The client as it is after the change; null when there is no such client.</summary>
    public Task<ClientView?> SetGrantsAsync(Guid clientId, CollectionGrants grants, string actor, CancellationToken cancellationToken) =>
        ChangeAsync(
            clientId,
            "client.grants",
            () => registry.SetGrantsAsync(clientId, grants, cancellationToken),
            view => new JsonObject { ["grants"] = new JsonArray([.. view.Grants.Select(g => (JsonNode?)g)]) },
            actor,
            cancellationToken);

    /// <summary>Gives the client a rate of its own, or (null) returns it to the configured one.</summary>
    public Task<ClientView?> SetRateAsync(Guid clientId, ClientRate? rate, string actor, CancellationToken cancellationToken) =>
        ChangeAsync(
            clientId,
            "client.rate-limit",
            () => registry.SetRateAsync(clientId, rate, cancellationToken),
            view => new JsonObject { ["perSecond"] = view.RateLimit.PerSecond, ["burst"] = view.RateLimit.Burst, ["own"] = view.RateLimit.Own },
            actor,
            cancellationToken);

    async Task<ClientView?> ChangeAsync(
        Guid clientId, string action, Func<Task<bool>> change, Func<ClientView, JsonObject> recorded, string actor, CancellationToken cancellationToken)
    {
        if (await registry.FindAsync(clientId, cancellationToken) is not { } before || !await change())
        {
            return null;
        }

        var after = ClientView.For(await registry.FindAsync(clientId, cancellationToken) ?? before, Defaults);
        await audit.RecordAsync(
            new AuditEntry
            {
                Actor = actor,
                Action = action,
                Subject = $"client {before.Name} ({before.Id})",
                Outcome = AuditOutcomes.Taken,
                Before = recorded(ClientView.For(before, Defaults)).ToReadableJson(),
                After = recorded(after).ToReadableJson(),
            },
            CancellationToken.None);
        return after;
    }
}
