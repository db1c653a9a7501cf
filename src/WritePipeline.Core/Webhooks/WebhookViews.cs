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
        endpoint.Id, endpoint.Url, endpoint.EventList, endpoint.Description, endpoint.Enabled, endpoint.DisabledReason,
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
