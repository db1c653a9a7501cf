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

    /// <summary>
    /// A write still <c>queued</c> this long after it was recorded is checked: if its message never reached its
    /// partition (the API died before the broker confirmed it; no 202 was given), it ends <c>rejected</c>. At least three
    /// times <see cref="TransportOptions.SendTimeout"/>, so the API has long given up on its send.
    /// </summary>
    public TimeSpan UnconfirmedAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>What start-up refuses in this section, each as a message naming the setting's full path.</summary>
    /// <param name="transport">What <see cref="UnconfirmedAfter"/> is measured against.</param>
    public IEnumerable<string> Validate(TransportOptions transport)
    {
        if (UnconfirmedAfter < 3 * transport.SendTimeout)
        {
            yield return "WritePipeline:Sweeper:UnconfirmedAfter must be at least three times WritePipeline:Transport:SendTimeout: a write is checked only once the API has long given up on sending it.";
        }

        if (Interval <= TimeSpan.Zero || HandoverAfter < TimeSpan.Zero)
        {
            yield return "WritePipeline:Sweeper:Interval must be positive and Sweeper:HandoverAfter not negative.";
        }
    }
}
