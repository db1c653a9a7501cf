using WritePipeline.Contracts;
using WritePipeline.Writes;
using WritePipeline.Writes.Status;

namespace WritePipeline.Conflicts;

/// <summary>
/// Whether an action on a write may be taken, and the words for why not. Every way a decision comes in asks here: the
/// client API (<see cref="Decisions"/>), the admin API and the console (<see cref="Admin.WriteActions"/>), bulk runs
/// (<see cref="Admin.BulkActions"/>) and the conflict saga itself, so a refusal reads the same wherever it is met.
/// An answer is <see cref="DecisionOutcome.Invalid"/> when the request is malformed whatever the write (400
/// invalid-resolution), or <see cref="DecisionOutcome.Refused"/> when the write's state or conflict does not allow it
/// (409 resolution-not-allowed).
/// </summary>
public static class ResolutionPolicy
{
    public const int MaxReasonLength = 2000;

    /// <summary>Not a decision: brings a discarded write back (operators only, one at a time or in bulk).</summary>
    public const string Restore = "restore";

    public const string DecisionUnderway = "A decision about this write is already being carried out.";
    public const string NoConflictWaiting = "The write has no conflict waiting for a decision.";
    public const string NoConflictToRestore = "The write has no conflict to restore.";
    public const string OnlyDiscardedRestored = "Only a discarded write can be restored.";
    public const string WriteGone = "The write no longer exists.";
    public const string WriteChanged = "The write changed meanwhile; read it again.";
    public const string RequestExpired = "The decision request expired before a worker could take it; nothing was decided.";
    /// <summary>
    /// How long a restore refused while the write's discard is being carried out is told to wait: the saga hears of a
    /// discard moments after its partition carried it out (or, if that message was lost, at the sweeper's next turn
    /// past <c>Sweeper:HandoverAfter</c>).
    /// </summary>
    public static readonly TimeSpan RestoreRetryAfter = TimeSpan.FromSeconds(2);

    public static readonly string DiscardUnderway =
        $"The write's discard is still being carried out; try the restore again in {RestoreRetryAfter.TotalSeconds:0} seconds.";

    public const string FailedOnlyRetryOrDiscard = "A write that failed outright never reached its record: it can only be retried or discarded.";

    /// <summary>A write whose Idempotency-Key names another request is never applied: retrying it would apply a reuse.</summary>
    public const string ReusedKeyOnlyDiscard = "The write reused an Idempotency-Key of another request, so it is never applied: it can only be discarded.";

    /// <summary>What a bulk run can do: every decision but resubmit (each edit is its own), and restore.</summary>
    public static IReadOnlyList<string> BulkActions { get; } =
        [ResolutionActions.Retry, ResolutionActions.Rebase, ResolutionActions.Overwrite, ResolutionActions.Discard, Restore];

    /// <summary>The decisions a write allows now, as its status resource lists them (empty when it waits for nobody).</summary>
    public static IReadOnlyList<string> AllowedActions(string status, string operation, string? conflictType) =>
        [.. ResolutionActions.All.Where(action => Refusal(status, operation, conflictType, action, StatusAudience.Client) is null)];

    /// <summary>What an operator can do to a write now: its conflict's decisions, retry or discard after a failure, restore from the archive.</summary>
    /// <param name="sagaState">
    /// The state of the write's conflict saga, if it has one. While it carries out a decision nothing else can be taken,
    /// even in the moment between the partition finishing with the write and the saga hearing of it.
    /// </param>
    public static IReadOnlyList<string> OperatorActions(string status, string operation, string? conflictType, string? sagaState) =>
        sagaState == nameof(ConflictStateMachine.Resolving) ? []
        : status == WriteStatus.Discarded
            ? [Restore]
            : [.. ResolutionActions.All.Where(action => Refusal(status, operation, conflictType, action, StatusAudience.Operator) is null)];

    /// <summary>
    /// The whole check of a decision: first what is wrong with the request itself, then whether the write allows it.
    /// Operators may also retry or discard a write that failed outright; submitters decide about conflicts only.
    /// </summary>
    public static DecisionOutcome? Check(
        string status, string operation, string? conflictType, string? action, bool hasDocument, string? reason, StatusAudience audience) =>
        Invalid(action, hasDocument, reason) is { } invalid ? new DecisionOutcome.Invalid(invalid)
        : Refusal(status, operation, conflictType, action!, audience) is { } refusal ? new DecisionOutcome.Refused(status, refusal)
        : null;

    /// <summary>What is wrong with a bulk request's action and reason (which writes it names is the run's own check).</summary>
    public static string? BulkInvalid(string? action, string? reason) =>
        BulkActions.Contains(action)
            ? ReasonInvalid(action, reason)
            : "Name an action: retry, rebase, overwrite, discard or restore (resubmit is one write at a time).";

    /// <summary>
    /// Why a write cannot be restored now, or null when it can. A restore while the saga still carries out the write's
    /// discard (the write about to be, or just, <c>discarded</c>) is refused with when to try again
    /// (<see cref="DecisionOutcome.Refused.RetryAfter"/>): it would be allowed a moment later.
    /// </summary>
    /// <param name="sagaState">The state of the write's conflict saga, if it has one.</param>
    /// <param name="decision">The action of the decision the saga holds, if any.</param>
    public static DecisionOutcome.Refused? RestoreRefusal(string status, string? sagaState, string? decision) =>
        sagaState == nameof(ConflictStateMachine.Resolving)
            ? decision == ResolutionActions.Discard
                ? new DecisionOutcome.Refused(status, DiscardUnderway, RestoreRetryAfter)
                : new DecisionOutcome.Refused(status, DecisionUnderway)
        : status == WriteStatus.Discarded ? null
        : new DecisionOutcome.Refused(status, OnlyDiscardedRestored);

    static string? Invalid(string? action, bool hasDocument, string? reason) => action switch
    {
        null => "Name an action: " + string.Join(", ", ResolutionActions.All) + ".",
        _ when !ResolutionActions.IsKnown(action) => UnknownAction(action),
        ResolutionActions.Resubmit when !hasDocument => "resubmit needs 'document': the corrected document, or merge patch for a patch.",
        _ => ReasonInvalid(action, reason),
    };

    static string? ReasonInvalid(string? action, string? reason) => action switch
    {
        ResolutionActions.Discard when string.IsNullOrWhiteSpace(reason) => "discard needs a 'reason'.",
        _ when reason?.Length > MaxReasonLength => $"The reason is limited to {MaxReasonLength} characters.",
        _ => null,
    };

    static string UnknownAction(string action) => $"Unknown action '{action}'; use one of " + string.Join(", ", ResolutionActions.All) + ".";

    /// <summary>Why <paramref name="action"/> cannot be taken on a write in <paramref name="status"/>, or null when it can.</summary>
    public static string? Refusal(string status, string operation, string? conflictType, string action, StatusAudience audience)
    {
        if (status == WriteStatus.Failed && audience == StatusAudience.Operator)
        {
            return conflictType == WriteErrors.IdempotencyKeyReused
                ? (action is ResolutionActions.Discard ? null : ReusedKeyOnlyDiscard)
                : (action is ResolutionActions.Retry or ResolutionActions.Discard ? null : FailedOnlyRetryOrDiscard);
        }

        if (status is not (WriteStatus.Parked or WriteStatus.Notified))
        {
            return status switch
            {
                WriteStatus.Conflicted => "The conflict is still being handed over; try again in a moment.",
                WriteStatus.Resolving => DecisionUnderway,
                _ => $"The write is {status}; only a conflicted write waiting for a decision can be resolved.",
            };
        }

        return action switch
        {
            ResolutionActions.Retry or ResolutionActions.Discard => null,
            ResolutionActions.Overwrite when conflictType is WriteErrors.VersionMismatch or WriteErrors.AlreadyExists => null,
            ResolutionActions.Overwrite =>
                $"overwrite ignores a precondition; a {conflictType} conflict is not about a precondition (declared constraints always hold).",
            ResolutionActions.Rebase when operation == WriteOperations.Replace =>
                "rebase applies the same change to the current version; a replace has no change to re-apply: use overwrite or resubmit.",
            ResolutionActions.Rebase when conflictType is WriteErrors.VersionMismatch => null,
            ResolutionActions.Rebase => $"rebase re-applies a change to the current version; a {conflictType} conflict is not about the version.",
            ResolutionActions.Resubmit when operation == WriteOperations.Delete => "A delete has no document to resubmit.",
            ResolutionActions.Resubmit => null,
            _ => UnknownAction(action),
        };
    }
}
