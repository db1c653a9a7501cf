namespace WritePipeline.Contracts;

/// <summary>Event: a decision about a conflicted write was carried out: the write is now applied or discarded.</summary>
public sealed record WriteResolved
{
    public required Guid WriteId { get; init; }

    public required Guid ResolutionId { get; init; }

    /// <summary><c>applied</c> or <c>discarded</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The record version the write produced, when applied.</summary>
    public long? Version { get; init; }
}
