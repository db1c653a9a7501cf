using WritePipeline.Data.Sagas;

namespace WritePipeline.Conflicts;

/// <summary>The conflict saga of one write: where its conflict stands, and the decision taken about it.</summary>
public sealed class ConflictState : IVersionedSaga
{
    /// <summary>The conflicted write's id.</summary>
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = null!;

    public int Version { get; set; }

    public Guid ClientId { get; set; }

    public string Collection { get; set; } = null!;

    public string Key { get; set; } = null!;

    public string Operation { get; set; } = null!;

    /// <summary>The kind of the latest conflict.</summary>
    public string ConflictType { get; set; } = null!;

    /// <summary>The latest conflict's identity (<see cref="Writes.Detection.WriteConflict.ConflictId"/>): a repeated <c>WriteConflicted</c> is recognised by it.</summary>
    public Guid ConflictId { get; set; }

    /// <summary>When the latest conflict was detected.</summary>
    public DateTimeOffset DetectedAt { get; set; }

    /// <summary>How often the write conflicted (a decision that conflicts again counts once more).</summary>
    public int Conflicts { get; set; }

    /// <summary><c>notify</c> or <c>park</c>: how this conflict is being handled.</summary>
    public string? Policy { get; set; }

    public DateTimeOffset? NotifiedAt { get; set; }

    /// <summary>While notified: when the submitter's time to decide runs out and the write is parked.</summary>
    public DateTimeOffset? DecisionDeadline { get; set; }

    /// <summary>How many decision timers reached the saga (a timer fires once: this stays at one per notification).</summary>
    public int DecisionTimersFired { get; set; }

    public DateTimeOffset? ParkedAt { get; set; }

    public Guid? ResolutionId { get; set; }

    public string? ResolutionAction { get; set; }

    public string? ResolutionReason { get; set; }

    /// <summary>
    /// The corrected document or patch of a <c>resubmit</c>, as decided: the decision is whole in the saga, so it can be
    /// put on its partition again (<see cref="ConflictSweeper"/>) once the request that carried it has expired.
    /// </summary>
    public string? ResolutionBody { get; set; }

    public string? ResolvedBy { get; set; }

    public DateTimeOffset? ResolutionRequestedAt { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }

    /// <summary>Forgets the decision taken: the write waits for a new one (it conflicted again, or was restored).</summary>
    public void ForgetDecision()
    {
        ResolutionId = null;
        ResolutionAction = null;
        ResolutionReason = null;
        ResolutionBody = null;
        ResolvedBy = null;
        ResolutionRequestedAt = null;
    }
}
