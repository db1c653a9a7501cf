using WritePipeline.Operators;

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

    /// <summary>
    /// Why the endpoint was disabled, when the pipeline disabled it (410 Gone, failing for days) or an operator did
    /// (<see cref="ByOperatorPrefix"/>, then the operator's name and reason); a client that disables its own endpoint
    /// gives none.
    /// </summary>
    public string? DisabledReason { get; set; }

    /// <summary>How <see cref="DisabledReason"/> begins when an operator disabled the endpoint; nothing else writes it so.</summary>
    public const string ByOperatorPrefix = "disabled by " + OperatorPrincipal.ActorPrefix;

    /// <summary>An operator disabled it: only an operator may enable it again, not its client.</summary>
    public bool DisabledByOperator => !Enabled && DisabledReason is { } reason && reason.StartsWith(ByOperatorPrefix, StringComparison.Ordinal);

    /// <summary>
    /// <see cref="DisabledReason"/> as the endpoint's client reads it: an operator's reason without the operator's name
    /// ("disabled by an operator: ..."), which only operators see.
    /// </summary>
    public string? DisabledReasonForClient
    {
        get
        {
            if (DisabledReason is not { } reason || !reason.StartsWith(ByOperatorPrefix, StringComparison.Ordinal))
            {
                return DisabledReason;
            }

            // Operator names hold no colon: what follows the next one is the operator's own reason.
            var afterName = reason.IndexOf(':', ByOperatorPrefix.Length);
            return "disabled by an operator" + (afterName < 0 ? string.Empty : reason[afterName..]);
        }
    }

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
