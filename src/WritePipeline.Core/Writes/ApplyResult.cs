using WritePipeline.Webhooks;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Writes;

/// <summary>What became of one delivery of a write.</summary>
public enum ApplyOutcome
{
    Applied,
    Conflicted,
    Failed,

    /// <summary>Its key waits behind an unresolved conflicted write: the write waits too, in order.</summary>
    Held,

    Discarded,

    /// <summary>A record it references does not exist yet: it waits within its grace, its key held behind it.</summary>
    Waiting,

    /// <summary>The write was no longer in the status this step expects (a redelivery, or the API rejected it): nothing was done.</summary>
    Skipped,

    /// <summary>The same request reached the broker first under another id: recorded as its duplicate, never applied.</summary>
    Duplicate,
}

/// <summary>
/// The outcome, the write as it is now (null when unknown), its conflict when it has one, and the webhook deliveries
/// the step committed (their timers are set once it has).
/// </summary>
public sealed record ApplyResult(ApplyOutcome Outcome, Write? Write, WriteConflict? Conflict = null, IReadOnlyList<WebhookDelivery>? Deliveries = null);
