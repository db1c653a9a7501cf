namespace WritePipeline.Contracts;

/// <summary>What a submitter or an operator can decide about a conflicted write, as spelled on the wire.</summary>
public static class ResolutionActions
{
    /// <summary>Apply the write as it was (for example once the record it references exists).</summary>
    public const string Retry = "retry";

    /// <summary>Apply the same change to the current version: a patch to the current document, a delete of the current record.</summary>
    public const string Rebase = "rebase";

    /// <summary>Apply the write ignoring its precondition (declared constraints still hold).</summary>
    public const string Overwrite = "overwrite";

    /// <summary>Apply a corrected document or patch instead of the one submitted.</summary>
    public const string Resubmit = "resubmit";

    /// <summary>Give the write up, with a reason.</summary>
    public const string Discard = "discard";

    public static IReadOnlyList<string> All { get; } = [Retry, Rebase, Overwrite, Resubmit, Discard];

    public static bool IsKnown(string? action) => action is Retry or Rebase or Overwrite or Resubmit or Discard;
}
