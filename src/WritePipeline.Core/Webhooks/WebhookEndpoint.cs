namespace WritePipeline.Webhooks;

/// <summary>Where a client wants to hear about its writes, and how deliveries there have been going.</summary>
public sealed class WebhookEndpoint
{
    public Guid Id { get; set; }

    public Guid ClientId { get; set; }

    public required string Url { get; set; }

    public string? Description { get; set; }

    /// <summary>Subscribed events (<see cref="WebhookEvents"/>), space-separated.</summary>
    public required string Events { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>Why the endpoint was disabled, when the pipeline disabled it (410 Gone, failing for days).</summary>
    public string? DisabledReason { get; set; }

    /// <summary>
    /// The signing secret (<c>whsec_</c> + base64). Kept as it is because every delivery is signed with it; the
    /// database holding it must be protected like the API keys' hashes and more.
    /// </summary>
    public required string Secret { get; set; }

    /// <summary>The secret before the last rotation; it signs too until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecret { get; set; }

    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Since when every delivery attempt has failed; null after a success.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    /// <summary>Failed attempts in a row.</summary>
    public int FailureStreak { get; set; }

    public IReadOnlyList<string> EventList => Events.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public bool Subscribes(string eventType) => EventList.Contains(eventType);
}
