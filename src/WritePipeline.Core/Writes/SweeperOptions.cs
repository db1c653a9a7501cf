namespace WritePipeline.Writes;

/// <summary>The conflict sweeper: a Quartz job on the workers that finishes steps of conflicts whose message was lost.</summary>
public sealed class SweeperOptions
{
    /// <summary>How often the sweeper looks (once in the cluster of workers).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a step of a conflict may be in flight before the sweeper takes it for lost and does it again: a
    /// conflicted write no saga took, a carried-out decision its saga did not hear of, a deadline that did not fire.
    /// Doing one again is harmless (the saga recognises repeats), so this only keeps the sweeper from racing the message.
    /// </summary>
    public TimeSpan HandoverAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>What start-up refuses in this section, each as a message naming the setting's full path.</summary>
    public IEnumerable<string> Validate()
    {
        if (Interval <= TimeSpan.Zero || HandoverAfter < TimeSpan.Zero)
        {
            yield return "WritePipeline:Sweeper:Interval must be positive and Sweeper:HandoverAfter not negative.";
        }
    }
}
