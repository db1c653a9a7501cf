using System.ComponentModel.DataAnnotations;

namespace WritePipeline.Scheduling;

public sealed class SchedulingOptions
{
    /// <summary>How many timers one worker runs at once. Webhook attempts do not count: their timers only hand them to the delivery slots.</summary>
    [Range(1, 256)]
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>How often a worker tells the cluster it is alive; a worker silent for three of these has its timers taken over.</summary>
    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(5);
}
