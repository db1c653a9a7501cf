namespace WritePipeline.Webhooks;

/// <summary>The events a webhook endpoint can subscribe to, as spelled on the wire.</summary>
public static class WebhookEvents
{
    /// <summary>A write conflicted and its submitter is asked to decide (the notify policy).</summary>
    public const string Conflicted = "write.conflicted";

    /// <summary>A conflicted write waits for an operator.</summary>
    public const string Parked = "write.parked";

    /// <summary>A decision about a conflicted write was carried out: applied or discarded.</summary>
    public const string Resolved = "write.resolved";

    /// <summary>A write waits behind a conflicted write to the same record.</summary>
    public const string Held = "write.held";

    /// <summary>A write was applied (opt-in: one delivery per write).</summary>
    public const string Applied = "write.applied";

    public static IReadOnlyList<string> All { get; } = [Conflicted, Parked, Resolved, Held, Applied];

    public static bool IsKnown(string name) => All.Contains(name);
}
