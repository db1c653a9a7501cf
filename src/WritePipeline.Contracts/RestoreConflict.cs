namespace WritePipeline.Contracts;

/// <summary>
/// Request to the conflict saga: bring a discarded write back from the archive, parked again for a new decision.
/// Answered with <see cref="ResolutionAccepted"/> or <see cref="ResolutionRefused"/>.
/// </summary>
public sealed record RestoreConflict
{
    public required Guid WriteId { get; init; }

    /// <summary>Who restored it, e.g. <c>operator:{name}</c>.</summary>
    public required string RequestedBy { get; init; }
}
