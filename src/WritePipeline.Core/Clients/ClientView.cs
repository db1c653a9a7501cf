namespace WritePipeline.Clients;

/// <summary>A client's rate limit as it applies: its own (<paramref name="Own"/>) or the configured one.</summary>
public sealed record ClientRateView(int PerSecond, int Burst, bool Own);

/// <summary>A client as operators see it (never its API key).</summary>
public sealed record ClientView(Guid Id, string Name, DateTimeOffset CreatedAt, IReadOnlyList<string> Grants, string? ConflictPolicy, ClientRateView RateLimit)
{
    public static ClientView For(Client client, ClientRateLimitOptions defaults)
    {
        var rate = ClientRate.Of(client, defaults);
        return new(
            client.Id,
            client.Name,
            client.CreatedAt,
            CollectionGrants.FromStored(client.Grants).List(),
            client.ConflictPolicy,
            new ClientRateView(rate.PerSecond, rate.Burst, client.RatePerSecond is not null));
    }
}
