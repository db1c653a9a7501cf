using WritePipeline.Contracts;
using WritePipeline.Writes;

namespace WritePipeline.Conflicts;

/// <summary>
/// Which decisions make sense for a conflicted write, given where it stands, what it did and how it conflicted.
/// The one place that says it: the status resource lists these, the API checks them, the saga enforces them.
/// </summary>
public static class ResolutionRules
{
    /// <summary>The actions allowed now (empty when the write waits for nobody's decision).</summary>
    public static IReadOnlyList<string> AllowedActions(string status, string operation, string? conflictType) =>
        [.. ResolutionActions.All.Where(action => Refusal(status, operation, conflictType, action) is null)];

    /// <summary>Why <paramref name="action"/> cannot be taken now, or null when it can.</summary>
    public static string? Refusal(string status, string operation, string? conflictType, string action)
    {
        if (status is not (WriteStatus.Parked or WriteStatus.Notified))
        {
            return status switch
            {
                WriteStatus.Conflicted => "The conflict is still being handed over; try again in a moment.",
                WriteStatus.Resolving => "A decision about this write is already being carried out.",
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
            _ => $"Unknown action '{action}'.",
        };
    }

    /// <summary>
    /// The write to apply for a decision. Every decision except retry is taken looking at the record as the conflict
    /// showed it, so it is applied only to that same state: if the record moved on meanwhile, it conflicts again
    /// rather than overwrite a change nobody saw.
    /// </summary>
    public static ApplyWrite WriteFor(Write write, WriteConflict? conflict, string action, string? body)
    {
        var original = write.ToMessage();
        if (action == ResolutionActions.Retry || conflict is null)
        {
            return original;
        }

        var seenExisting = conflict.CurrentDocument is not null;
        return original with
        {
            Body = action == ResolutionActions.Resubmit ? body : original.Body,
            IfMatchVersion = seenExisting ? conflict.CurrentVersion : null,
            IfNoneMatchAny = !seenExisting,
        };
    }
}
