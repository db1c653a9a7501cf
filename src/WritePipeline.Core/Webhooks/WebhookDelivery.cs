namespace WritePipeline.Webhooks;

/// <summary>One event for one endpoint: the exact bytes to send, and where its attempts stand.</summary>
public sealed class WebhookDelivery
{
    /// <summary>Also the <c>webhook-id</c> header (<c>msg_</c> + this id): the same on every attempt, so receivers can deduplicate.</summary>
    public Guid Id { get; set; }

    public Guid EndpointId { get; set; }

    public Guid ClientId { get; set; }

    public required string EventType { get; set; }

    /// <summary>The write the event is about.</summary>
    public Guid WriteId { get; set; }

    /// <summary>For conflict events: which conflict of the write (its saga counts them).</summary>
    public int? ConflictNumber { get; set; }

    /// <summary>The body, as the bytes every attempt sends (the signature covers exactly these).</summary>
    public required string Payload { get; set; }

    public string Status { get; set; } = WebhookDeliveryStatus.Pending;

    public int Attempts { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the next attempt is due; null once the delivery succeeded or failed for good.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public int? LastStatusCode { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public string WebhookId => "msg_" + Id.ToString("N");
}

public static class WebhookDeliveryStatus
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";

    /// <summary>Every attempt failed, the receiver answered 410, or the endpoint was disabled.</summary>
    public const string Failed = "failed";
}

/// <summary>One try at a delivery, kept for the submitter and operators.</summary>
public sealed class WebhookAttempt
{
    public long Id { get; set; }

    public Guid DeliveryId { get; set; }

    public int Number { get; set; }

    public DateTimeOffset AttemptedAt { get; set; }

    /// <summary>The receiver's status code; null when no response came (timeout, refused, blocked address).</summary>
    public int? StatusCode { get; set; }

    public int LatencyMilliseconds { get; set; }

    /// <summary>The start of the response body, bounded (<see cref="WebhookOptions.ResponseExcerptLength"/>).</summary>
    public string? ResponseExcerpt { get; set; }

    /// <summary>Why no response came, when none did.</summary>
    public string? Error { get; set; }

    /// <summary>The receiver's Retry-After, when it sent one (not stored).</summary>
    public System.Net.Http.Headers.RetryConditionHeaderValue? RetryAfterHeader { get; set; }

    /// <summary>How long the receiver asked us to wait (on 429 or 503 only), cut to the configured maximum.</summary>
    public TimeSpan? RetryAfter(WebhookOptions options)
    {
        if (StatusCode is not (429 or 503) || RetryAfterHeader is null)
        {
            return null;
        }

        var wait = RetryAfterHeader.Delta ?? (RetryAfterHeader.Date - AttemptedAt);
        return wait is { } w && w > TimeSpan.Zero ? (w > options.MaxRetryAfter ? options.MaxRetryAfter : w) : null;
    }
}
