namespace WritePipeline.Contracts;

/// <summary>Timer: the submitter's time to decide about a notified conflict has run out (sent by a Quartz trigger).</summary>
public sealed record ConflictDecisionDue
{
    public required Guid WriteId { get; init; }

    /// <summary>Which conflict of the write the timer was set for; a timer of an earlier conflict is recognised by it.</summary>
    public required int Conflict { get; init; }
}
