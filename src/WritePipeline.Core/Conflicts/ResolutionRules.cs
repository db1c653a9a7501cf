using WritePipeline.Contracts;
using WritePipeline.Writes;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Conflicts;

/// <summary>
/// What a decision about a conflicted write applies. Whether it may be taken at all is <see cref="ResolutionPolicy"/>'s
/// to say.
/// </summary>
public static class ResolutionRules
{
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
