namespace WritePipeline.Writes.Status;

/// <summary>
/// The part of a write's status that only the conflict feature knows: which decisions the write allows now, and the
/// decision taken about it by its conflict saga. The writes feature owns this interface and the conflict feature
/// implements it, so that a write's status lives with writes without writes knowing the saga.
/// </summary>
public interface IWriteDecisions
{
    /// <summary>The decisions the write allows now, as its status lists them (empty when it waits for nobody).</summary>
    IReadOnlyList<string> AllowedActions(Write write);

    /// <summary>
    /// One row per write that had a conflict: its saga's decision, as a query over the same context that the status
    /// query joins, so that a status is read in one round trip.
    /// </summary>
    IQueryable<DecisionState> Decisions { get; }
}

/// <summary>
/// What a conflicted write's saga says of it: the number of its conflict (a write can conflict again after a decision)
/// and the decision taken about it, if any (<see cref="Action"/> null: none yet).
/// </summary>
/// <remarks>
/// Every member may be null: the status query reads a write without a saga through a left join, which gives a row of
/// nulls (a member that could not be null would fail the read); such a row is no decision.
/// </remarks>
public sealed record DecisionState
{
    public Guid? WriteId { get; init; }

    public int? Conflicts { get; init; }

    public string? Action { get; init; }

    public string? Reason { get; init; }

    /// <summary>Who decided, as the decision names them (<c>client:ID</c>, <c>operator:NAME</c>, the saga's policy).</summary>
    public string? By { get; init; }

    public DateTimeOffset? RequestedAt { get; init; }

    public DateTimeOffset? ResolvedAt { get; init; }
}
