using WritePipeline.Collections;
using WritePipeline.Contracts;
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

    /// <summary>Takes in a (new) conflict: what the write is and how it conflicted; any earlier decision is forgotten.</summary>
    public void RecordConflict(WriteConflicted conflict)
    {
        ClientId = conflict.ClientId;
        Collection = conflict.Collection;
        Key = conflict.Key;
        Operation = conflict.Operation;
        ConflictType = conflict.ConflictType;
        ConflictId = conflict.ConflictId;
        DetectedAt = conflict.DetectedAt;
        Conflicts++;
        ForgetDecision();
    }

    /// <summary>The submitter is asked to decide by <paramref name="deadline"/>.</summary>
    public void Notify(DateTimeOffset now, DateTimeOffset deadline)
    {
        Policy = ConflictPolicies.Notify;
        NotifiedAt = now;
        DecisionDeadline = deadline;
    }

    /// <summary>
    /// Leaves the decision to an operator: on a conflict, or when the submitter could not be told or did not decide in
    /// time. The write goes 'parked', and subscribers are told, as the saga enters <c>Parked</c>.
    /// </summary>
    public void Park(DateTimeOffset now)
    {
        Policy = ConflictPolicies.Park;
        ParkedAt = now;
        DecisionDeadline = null;
    }

    /// <summary>A decision timer reached the saga.</summary>
    public void CountDecisionTimer() => DecisionTimersFired++;

    /// <summary>Records the decision taken, as asked.</summary>
    public void TakeDecision(ResolveConflict decision, DateTimeOffset now)
    {
        ResolutionId = decision.ResolutionId;
        ResolutionAction = decision.Action;
        ResolutionReason = decision.Reason;
        ResolutionBody = decision.Body;
        ResolvedBy = decision.RequestedBy;
        ResolutionRequestedAt = now;
    }

    /// <summary>The decision was carried out (applied, discarded or failed). The submitter hears of it as the saga enters its final state.</summary>
    public void NoteResolved(DateTimeOffset now) => ResolvedAt = now;

    /// <summary>A discarded write comes back for a new decision, parked as if just conflicted.</summary>
    public void Restore(DateTimeOffset now)
    {
        ForgetDecision();
        ResolvedAt = null;
        Park(now);
    }

    /// <summary>Forgets the decision taken: the write waits for a new one (it conflicted again, or was restored).</summary>
    void ForgetDecision()
    {
        ResolutionId = null;
        ResolutionAction = null;
        ResolutionReason = null;
        ResolutionBody = null;
        ResolvedBy = null;
        ResolutionRequestedAt = null;
    }
}
