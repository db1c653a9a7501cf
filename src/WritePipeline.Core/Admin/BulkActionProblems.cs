using WritePipeline.Problems;

namespace WritePipeline.Admin;

/// <summary>The problems an operator's bulk action is answered with.</summary>
public static class BulkActionProblems
{
    public static Problem InvalidBulkAction(string detail) =>
        Kinds.InvalidBulkAction.Problem(detail);

    public static Problem BulkActionNotFound(Guid id) =>
        Kinds.BulkActionNotFound.Problem($"No bulk action '{id}'.");

    /// <summary>The kinds of <see cref="BulkActionProblems"/>.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind InvalidBulkAction = new(400, "invalid-bulk-action", "The bulk action is not valid.");

        public static readonly ProblemKind BulkActionNotFound = new(404, "bulk-action-not-found", "The bulk action does not exist.");
    }
}
