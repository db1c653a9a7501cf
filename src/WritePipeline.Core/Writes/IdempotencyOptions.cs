namespace WritePipeline.Writes;

/// <summary>How long Idempotency-Keys are kept for replays.</summary>
public sealed class IdempotencyOptions
{
    /// <summary>
    /// An Idempotency-Key is released (free for a new write; the write row stays) once its write is final (or was
    /// rejected) and was submitted longer ago than this. At least 24 hours.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the release job (Quartz, on workers, once in the cluster) looks.</summary>
    public TimeSpan ReleaseInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>What start-up refuses in this section, each as a message naming the setting's full path.</summary>
    public IEnumerable<string> Validate()
    {
        if (Retention < TimeSpan.FromHours(24) || ReleaseInterval <= TimeSpan.Zero)
        {
            yield return "WritePipeline:Idempotency:Retention must be at least 24 hours (clients retry for that long) and Idempotency:ReleaseInterval positive.";
        }
    }
}
