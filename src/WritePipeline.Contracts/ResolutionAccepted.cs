namespace WritePipeline.Contracts;

/// <summary>Response: the saga took the decision and sent the write back to its partition.</summary>
public sealed record ResolutionAccepted
{
    public required Guid WriteId { get; init; }

    public required Guid ResolutionId { get; init; }
}
