using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;

namespace WritePipeline.Clients;

/// <summary>Creates clients and finds them by API key.</summary>
public sealed class ClientRegistry(WritePipelineDbContext db, TimeProvider clock)
{
    /// <summary>Creates a client and returns its API key; this is the only time the key exists in clear.</summary>
    public async Task<(Client Client, string ApiKey)> CreateAsync(string name, CancellationToken cancellationToken)
    {
        var apiKey = ApiKeys.Generate();
        var client = await CreateAsync(name, apiKey, cancellationToken);
        return (client, apiKey);
    }

    internal async Task<Client> CreateAsync(string name, string apiKey, CancellationToken cancellationToken)
    {
        var client = new Client
        {
            Id = Guid.CreateVersion7(),
            Name = name,
            ApiKeyHash = ApiKeys.Hash(apiKey),
            CreatedAt = clock.GetUtcNow(),
        };
        db.Clients.Add(client);
        await db.SaveChangesAsync(cancellationToken);
        return client;
    }

    /// <summary>Sets how the client's conflicts are handled over its collections' policy; null returns to theirs. False when there is no such client.</summary>
    public async Task<bool> SetConflictPolicyAsync(Guid clientId, string? policy, CancellationToken cancellationToken)
    {
        if (policy is not null && !Conflicts.ConflictPolicies.IsKnown(policy))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy, "A conflict policy is auto, notify or park.");
        }

        return await db.Clients.Where(c => c.Id == clientId)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.ConflictPolicy, policy), cancellationToken) == 1;
    }

    public Task<Client?> FindByApiKeyAsync(string apiKey, CancellationToken cancellationToken)
    {
        var hash = ApiKeys.Hash(apiKey);
        return db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.ApiKeyHash == hash, cancellationToken);
    }

    /// <summary>Makes sure a client with this key exists (the Development bootstrap client).</summary>
    public async Task EnsureAsync(string name, string apiKey, CancellationToken cancellationToken)
    {
        if (await FindByApiKeyAsync(apiKey, cancellationToken) is null)
        {
            await CreateAsync(name, apiKey, cancellationToken);
        }
    }
}
