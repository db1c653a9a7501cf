namespace WritePipeline.Audit;

/// <summary>
/// One thing an operator did (or tried to do), kept for good: who, when, what, to which write or endpoint, the
/// outcome, and the state before and after. Never updated; purging the archive does not touch it.
/// </summary>
public sealed class AuditEntry
{
    public const int MaxActorLength = 120;
    public const int MaxActionLength = 40;
    public const int MaxSubjectLength = 1100;
    public const int MaxDetailLength = 2000;
    public const int MaxReasonLength = Conflicts.Decisions.MaxReasonLength;

    public Guid Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>Who acted, e.g. <c>operator:alice</c>.</summary>
    public required string Actor { get; set; }

    /// <summary>What was done (<see cref="AuditActions"/>).</summary>
    public required string Action { get; set; }

    /// <summary>The write acted on, when the action was about a write.</summary>
    public Guid? WriteId { get; set; }

    /// <summary>What was acted on, readable: <c>orders/o-17</c>, a webhook endpoint's id and URL.</summary>
    public string? Subject { get; set; }

    /// <summary><c>taken</c>, <c>refused</c>, <c>invalid</c> or <c>unanswered</c>.</summary>
    public required string Outcome { get; set; }

    /// <summary>Why it was refused, or what happened.</summary>
    public string? Detail { get; set; }

    /// <summary>The operator's reason (required to discard).</summary>
    public string? Reason { get; set; }

    /// <summary>JSON: the state before (status, document).</summary>
    public string? Before { get; set; }

    /// <summary>JSON: the state asked for after (status, and for an edit the edited document).</summary>
    public string? After { get; set; }
}

/// <summary>Audited actions, as spelled in the log and its filters.</summary>
public static class AuditActions
{
    public const string WritePrefix = "write.";
    public const string Restore = "write.restore";
    public const string WebhookEnable = "webhook.enable";
    public const string WebhookDisable = "webhook.disable";
    public const string WebhookResend = "webhook.resend";

    /// <summary>A decision about a write, e.g. <c>write.retry</c>.</summary>
    public static string ForDecision(string action) => WritePrefix + action;
}

/// <summary>Outcomes, as spelled in the log.</summary>
public static class AuditOutcomes
{
    public const string Taken = "taken";
    public const string Refused = "refused";
    public const string Invalid = "invalid";
    public const string Unanswered = "unanswered";
}
