using WritePipeline.Writes.Detection;

namespace WritePipeline.Writes.Status;

/// <summary>Why a write was not applied.</summary>
public sealed record WriteError(string Type, string? Detail);

/// <summary>The decision taken about a conflicted write.</summary>
public sealed record ResolutionView(string Action, string? Reason, string? By, DateTimeOffset? RequestedAt, DateTimeOffset? ResolvedAt);

/// <summary>
/// The conflicted write a held write waits behind. <see cref="Own"/>: whether it is the same client's write; its id only
/// then, for a client (another client's write id is that client's business), and always for operators.
/// </summary>
public sealed record HeldBehindView(bool Own, Guid? WriteId);

/// <summary>Who reads a status resource: the write's own client, or an operator (every detail).</summary>
public enum StatusAudience
{
    Client,
    Operator,
}

/// <summary>
/// The status resource of a write. <see cref="Collection"/>, <see cref="Key"/> and <see cref="Operation"/> are null only
/// while no worker has recorded the write yet (<see cref="Unrecorded"/>).
/// </summary>
public sealed record WriteStatusView(
    Guid WriteId,
    string Status,
    string? Collection,
    string? Key,
    string? Operation,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? AppliedAt,
    long? Version,
    WriteError? Error,
    ConflictView? Conflict,
    HeldBehindView? HeldBehind,
    DateTimeOffset? RetryUntil,
    IReadOnlyList<string> Actions,
    ResolutionView? Resolution,
    Guid? DuplicateOf = null)
{
    /// <summary>
    /// A write this API accepted (its id says so, <see cref="WriteIds"/>) that no worker has recorded yet: it is on the
    /// broker, or its submitter got a 503 and it never got there.
    /// </summary>
    public static WriteStatusView Unrecorded(Guid writeId, DateTimeOffset submittedAt) =>
        new(writeId, WriteStatus.Queued, null, null, null, submittedAt, null, null, null, null, null, null, [], null);

    /// <summary>How a client's status resource names an operator who decided: the role, never the operator's name.</summary>
    public const string OperatorDecided = "operator";

    /// <param name="decision">What the write's conflict saga says of it, if it had a conflict (<see cref="IWriteDecisions"/>).</param>
    /// <param name="actions">The decisions the write allows now (<see cref="IWriteDecisions.AllowedActions"/>).</param>
    /// <param name="blockerClientId">The client of the write <paramref name="write"/> is held behind, when it is held.</param>
    public static WriteStatusView For(
        Write write, WriteConflict? conflict, DecisionState? decision, IReadOnlyList<string> actions, Guid? blockerClientId, StatusAudience audience)
    {
        var everything = audience == StatusAudience.Operator;
        HeldBehindView? heldBehind = null;
        if (write.HeldBehind is { } blocker)
        {
            var own = blockerClientId == write.ClientId;
            heldBehind = new HeldBehindView(own, own || everything ? blocker : null);
        }

        return new(
            write.Id,
            write.Status,
            write.Collection,
            write.Key,
            write.Operation,
            write.SubmittedAt,
            write.Status == WriteStatus.Applied ? write.CompletedAt : null,
            write.Version,
            write.ErrorType is null ? null : new WriteError(write.ErrorType, write.ErrorDetail),
            conflict is null ? null : ConflictView.For(conflict),
            heldBehind,
            write.RetryUntil,
            actions,
            decision?.Action is null
                ? null
                : new ResolutionView(decision.Action, decision.Reason, everything ? decision.By : ClientSees(decision.By), decision.RequestedAt, decision.ResolvedAt),
            write.DuplicateOf);
    }

    /// <summary>Operators are named in the audit log and to other operators; a client learns only that an operator decided.</summary>
    static string? ClientSees(string? decidedBy) =>
        decidedBy is not null && decidedBy.StartsWith(Operators.OperatorPrincipal.ActorPrefix, StringComparison.Ordinal) ? OperatorDecided : decidedBy;
}
