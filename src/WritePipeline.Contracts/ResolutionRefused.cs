namespace WritePipeline.Contracts;

/// <summary>Response: the decision is not possible in the write's current state; nothing was done.</summary>
public sealed record ResolutionRefused
{
    public required Guid WriteId { get; init; }

    /// <summary>The write's status when the decision was refused.</summary>
    public required string Status { get; init; }

    public required string Reason { get; init; }
}
