using System.Text.Json.Nodes;

namespace WritePipeline.Conflicts;

/// <summary>The decision about a conflicted write, as its submitter sends it.</summary>
/// <param name="Action">retry, rebase, overwrite, resubmit or discard.</param>
/// <param name="Document">For resubmit: the corrected document (a replace) or merge patch (a patch).</param>
/// <param name="Reason">For discard: why (kept with the write).</param>
public sealed record ResolutionRequest(string? Action, JsonObject? Document, string? Reason);
