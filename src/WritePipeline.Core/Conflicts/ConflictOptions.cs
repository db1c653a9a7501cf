namespace WritePipeline.Conflicts;

public sealed class ConflictOptions
{
    /// <summary>How long a notified submitter has to decide before the write is parked for an operator.</summary>
    public TimeSpan DecisionTimeout { get; set; } = TimeSpan.FromHours(24);
}
