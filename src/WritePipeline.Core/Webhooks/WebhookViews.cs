namespace WritePipeline.Webhooks;

/// <summary>An endpoint as its client sees it: never the secret, except in <see cref="WebhookSecretView"/> once.</summary>
public sealed record WebhookEndpointView(
    Guid Id,
    string Url,
    IReadOnlyList<string> Events,
    string? Description,
    bool Enabled,
    string? DisabledReason,
    int FailureStreak,
    DateTimeOffset? FailingSince,
    DateTimeOffset CreatedAt)
{
    public static WebhookEndpointView For(WebhookEndpoint endpoint) => new(
        endpoint.Id, endpoint.Url, endpoint.EventList, endpoint.Description, endpoint.Enabled, endpoint.DisabledReasonForClient,
        endpoint.FailureStreak, endpoint.FailingSince, endpoint.CreatedAt);
}

/// <summary>A new endpoint, or a rotated secret: the only answers that carry the signing secret.</summary>
public sealed record WebhookSecretView(WebhookEndpointView Endpoint, string Secret, DateTimeOffset? PreviousSecretExpiresAt);

public sealed record WebhookAttemptView(int Number, DateTimeOffset AttemptedAt, int? StatusCode, int LatencyMilliseconds, string? ResponseExcerpt, string? Error)
{
    public static WebhookAttemptView For(WebhookAttempt attempt) => new(
        attempt.Number, attempt.AttemptedAt, attempt.StatusCode, attempt.LatencyMilliseconds, attempt.ResponseExcerpt, attempt.Error);
}

public sealed record WebhookDeliveryView(
    Guid Id,
    string WebhookId,
    string EventType,
    Guid WriteId,
    string Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt,
    int? LastStatusCode,
    IReadOnlyList<WebhookAttemptView> AttemptLog);

public sealed record WebhookDeliveryPage(IReadOnlyList<WebhookDeliveryView> Items);

/// <summary>
/// An endpoint as operators see it, of any client, with how its deliveries are going; never its secrets.
/// <see cref="LastDeliveryAt"/> and <see cref="LastStatusCode"/> are of the newest delivery attempted so far: when it
/// was created, and its latest attempt's status code (null when no response came).
/// </summary>
public sealed record WebhookEndpointSummary(
    Guid Id,
    Guid ClientId,
    string? ClientName,
    string Url,
    string? Description,
    IReadOnlyList<string> Events,
    bool Enabled,
    string? DisabledReason,
    int FailureStreak,
    DateTimeOffset? FailingSince,
    DateTimeOffset? LastDeliveryAt,
    int? LastStatusCode,
    int Pending,
    int FailedLast24h);
