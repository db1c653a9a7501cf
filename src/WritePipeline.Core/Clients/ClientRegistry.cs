using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;
using WritePipeline.Collections;

namespace WritePipeline.Clients;

/// <summary>Creates clients, finds them by API key, and changes what an administrator may change of them.</summary>
public sealed class ClientRegistry(WritePipelineDbContext db, ClientChanges changes, KnownApiKeys knownKeys, TimeProvider clock)
{
    /// <summary>Creates a client and returns its API key; this is the only time the key exists in clear.</summary>
    public async Task<(Client Client, string ApiKey)> CreateAsync(string name, CollectionGrants grants, ClientRate? rate, CancellationToken cancellationToken)
    {
        var apiKey = ApiKeys.Generate();
        var client = await CreateAsync(name, apiKey, grants, rate, cancellationToken);
        return (client, apiKey);
    }

    internal async Task<Client> CreateAsync(string name, string apiKey, CollectionGrants grants, ClientRate? rate, CancellationToken cancellationToken)
    {
        var client = new Client
        {
            Id = Guid.CreateVersion7(),
            Name = name,
            ApiKeyHash = ApiKeys.Hash(apiKey),
            Grants = grants.ToString(),
            CreatedAt = clock.GetUtcNow(),
            RatePerSecond = rate?.PerSecond,
            RateBurst = rate?.Burst,
        };
        db.Clients.Add(client);
        await db.SaveChangesAsync(cancellationToken);
        knownKeys.Add(client.ApiKeyHash);
        return client;
    }

    /// <summary>Sets how the client's conflicts are handled over its collections' policy; null returns to theirs. False when there is no such client.</summary>
    public async Task<bool> SetConflictPolicyAsync(Guid clientId, string? policy, CancellationToken cancellationToken)
    {
        if (policy is not null && !ConflictPolicies.IsKnown(policy))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy, "A conflict policy is auto, notify or park.");
        }

        return Changed(clientId, await db.Clients.Where(c => c.Id == clientId)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.ConflictPolicy, policy), cancellationToken));
    }

    /// <summary>Gives the client a rate of its own, or (null) returns it to the configured one. False when there is no such client.</summary>
    public async Task<bool> SetRateAsync(Guid clientId, ClientRate? rate, CancellationToken cancellationToken) =>
        Changed(clientId, await db.Clients.Where(c => c.Id == clientId)
            .ExecuteUpdateAsync(
                set => set.SetProperty(c => c.RatePerSecond, rate.HasValue ? rate.Value.PerSecond : null)
                    .SetProperty(c => c.RateBurst, rate.HasValue ? rate.Value.Burst : null),
                cancellationToken));

    /// <summary>Replaces the client's grants. False when there is no such client.</summary>
    public async Task<bool> SetGrantsAsync(Guid clientId, CollectionGrants grants, CancellationToken cancellationToken) =>
        Changed(clientId, await db.Clients.Where(c => c.Id == clientId)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.Grants, grants.ToString()), cancellationToken));

    public async Task<IReadOnlyList<Client>> ListAsync(CancellationToken cancellationToken) =>
        await db.Clients.AsNoTracking().OrderBy(c => c.Name).ThenBy(c => c.Id).ToListAsync(cancellationToken);

    public Task<Client?> FindAsync(Guid clientId, CancellationToken cancellationToken) =>
        db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == clientId, cancellationToken);

    public Task<Client?> FindByApiKeyAsync(string apiKey, CancellationToken cancellationToken)
    {
        var hash = ApiKeys.Hash(apiKey);
        return db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.ApiKeyHash == hash, cancellationToken);
    }

    /// <summary>Makes sure a client with this key exists (the Development bootstrap client, with every grant).</summary>
    public async Task EnsureAsync(string name, string apiKey, CancellationToken cancellationToken)
    {
        if (await FindByApiKeyAsync(apiKey, cancellationToken) is null)
        {
            await CreateAsync(name, apiKey, CollectionGrants.Everything, null, cancellationToken);
        }
    }

    bool Changed(Guid clientId, int rows)
    {
        if (rows == 1)
        {
            changes.Changed(clientId);
        }

        return rows == 1;
    }
}
