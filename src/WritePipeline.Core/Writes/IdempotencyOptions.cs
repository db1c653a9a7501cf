namespace WritePipeline.Writes;

/// <summary>How long Idempotency-Keys are kept for replays.</summary>
public sealed class IdempotencyOptions
{
    /// <summary>
    /// A repeat of an Idempotency-Key is answered with its first write for at least this long. After it, once that
    /// write is final, the key may name a new write: the write submitted this long after the holder takes the key over,
    /// in the transaction that records it (<see cref="KeyClaim"/>; the holder's row stays). At least 24 hours.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>What start-up refuses in this section, each as a message naming the setting's full path.</summary>
    public IEnumerable<string> Validate()
    {
        if (Retention < TimeSpan.FromHours(24))
        {
            yield return "WritePipeline:Idempotency:Retention must be at least 24 hours (clients retry for that long).";
        }
    }
}
