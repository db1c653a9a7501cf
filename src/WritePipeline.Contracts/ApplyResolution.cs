namespace WritePipeline.Contracts;

/// <summary>
/// Command to a partition: apply the decision taken about a conflicted write. It travels through the key's partition
/// like any write, so that it takes its place in the key's order, and the writes held behind it follow it.
/// </summary>
public sealed record ApplyResolution
{
    public required Guid WriteId { get; init; }

    public required Guid ResolutionId { get; init; }

    public required string Collection { get; init; }

    public required string Key { get; init; }

    /// <summary>One of <see cref="ResolutionActions"/>.</summary>
    public required string Action { get; init; }

    /// <summary>The corrected document or patch, for <c>resubmit</c>.</summary>
    public string? Body { get; init; }

    /// <summary>Why, for <c>discard</c>.</summary>
    public string? Reason { get; init; }
}
