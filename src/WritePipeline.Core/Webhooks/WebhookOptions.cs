using System.ComponentModel.DataAnnotations;

namespace WritePipeline.Webhooks;

public sealed class WebhookOptions
{
    /// <summary>How long one delivery attempt may take, connection included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over about a day and a day and a half.</summary>
    public static IReadOnlyList<TimeSpan> DefaultRetrySchedule { get; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>
    /// Waits between attempts: after the first failure the first wait, and so on; when they run out the delivery has
    /// failed. Unset means <see cref="DefaultRetrySchedule"/> (configuration adds to a list rather than replacing it).
    /// </summary>
    public List<TimeSpan>? RetrySchedule { get; set; }

    public IReadOnlyList<TimeSpan> Retries => RetrySchedule is { Count: > 0 } schedule ? schedule : DefaultRetrySchedule;

    /// <summary>Each wait is stretched or shrunk by up to this fraction, so that retries of many deliveries spread out.</summary>
    [Range(0.0, 1.0)]
    public double Jitter { get; set; } = 0.2;

    /// <summary>The longest Retry-After (on 429 or 503) that is honoured as it is; longer ones are cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(10);

    /// <summary>An endpoint whose deliveries have all been failing for this long is disabled.</summary>
    public TimeSpan DisableAfterFailingFor { get; set; } = TimeSpan.FromDays(5);

    /// <summary>After a secret rotation, how long the previous secret keeps signing too.</summary>
    public TimeSpan SecretRotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The API's public address, to make the links in payloads absolute (e.g. https://writes.example.com); relative when unset.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Deliver to loopback, private and link-local addresses. Off in production (server-side request forgery).</summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>How much of a receiver's response body each attempt keeps, for operators.</summary>
    [Range(0, 64 * 1024)]
    public int ResponseExcerptLength { get; set; } = 1024;

    /// <summary>Endpoints one client may have, disabled ones included: each owes a delivery per event, and their attempts share the slots.</summary>
    [Range(1, 1000)]
    public int MaxEndpointsPerClient { get; set; } = 10;

    /// <summary>Webhook attempts one worker runs at once (each may wait <see cref="Timeout"/> for its receiver).</summary>
    [Range(1, 1024)]
    public int DeliverySlots { get; set; } = 32;

    /// <summary>
    /// Of <see cref="DeliverySlots"/>, how many one client's attempts may hold at once: a client whose receivers do not
    /// answer keeps its own deliveries waiting, and leaves the other slots to everyone else.
    /// </summary>
    [Range(1, 1024)]
    public int SlotsPerClient { get; set; } = 4;

    /// <summary>What start-up refuses in this section, each as a message naming the setting's full path.</summary>
    public IEnumerable<string> Validate()
    {
        if (MaxEndpointsPerClient < 1 || DeliverySlots < 1 || SlotsPerClient < 1 || SlotsPerClient > DeliverySlots)
        {
            yield return "WritePipeline:Webhooks:MaxEndpointsPerClient, DeliverySlots and SlotsPerClient must be at least 1, and SlotsPerClient no more than DeliverySlots.";
        }
    }
}
