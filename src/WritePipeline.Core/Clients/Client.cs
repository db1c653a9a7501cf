namespace WritePipeline.Clients;

/// <summary>A submitter of writes. Its API key is stored only as a hash.</summary>
public sealed class Client
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    /// <summary>Hex SHA-256 of the API key (see <see cref="ApiKeys.Hash"/>).</summary>
    public required string ApiKeyHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>How this client's conflicts are handled (<c>auto</c>, <c>notify</c>, <c>park</c>), over its collections' policy; null keeps theirs.</summary>
    public string? ConflictPolicy { get; set; }

    /// <summary>The collections the client may read and write (<see cref="CollectionGrants"/>, as stored).</summary>
    public required string Grants { get; set; }

    /// <summary>This client's own rate limit (requests a second, per API process; 0 for none); null keeps <c>Clients:RateLimit</c>.</summary>
    public int? RatePerSecond { get; set; }

    /// <summary>This client's own bucket size; used with <see cref="RatePerSecond"/>.</summary>
    public int? RateBurst { get; set; }
}
