namespace WritePipeline.Contracts;

/// <summary>Response: the decision is not possible in the write's current state; nothing was done.</summary>
public sealed record ResolutionRefused
{
    public required Guid WriteId { get; init; }

    /// <summary>The write's status when the decision was refused.</summary>
    public required string Status { get; init; }

    public required string Reason { get; init; }

    /// <summary>Set when the refusal passes by itself (the write's discard is still being carried out): ask again after this long.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
