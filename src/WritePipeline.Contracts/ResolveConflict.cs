namespace WritePipeline.Contracts;

/// <summary>
/// Request to the conflict saga: resolve a conflicted write. Answered with <see cref="ResolutionAccepted"/> or
/// <see cref="ResolutionRefused"/>; the saga alone decides, so two concurrent decisions cannot both be taken.
/// </summary>
public sealed record ResolveConflict
{
    public required Guid WriteId { get; init; }

    /// <summary>Identifies this decision; a request resent with the same id is answered as the first was.</summary>
    public required Guid ResolutionId { get; init; }

    /// <summary>One of <see cref="ResolutionActions"/>.</summary>
    public required string Action { get; init; }

    /// <summary>The corrected document or patch, for <c>resubmit</c>.</summary>
    public string? Body { get; init; }

    /// <summary>Why, required for <c>discard</c>.</summary>
    public string? Reason { get; init; }

    /// <summary>Who decided, e.g. <c>client:{id}</c> or <c>operator:{name}</c>.</summary>
    public required string RequestedBy { get; init; }

    /// <summary>For an operator's decision, what its audit entry says besides (e.g. the bulk action it is part of).</summary>
    public string? AuditNote { get; init; }
}
