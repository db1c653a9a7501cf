using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using WritePipeline.Problems;

namespace WritePipeline.Admin;

/// <summary>The problems an operator's bulk action is answered with.</summary>
public static class BulkActionProblems
{
    public static ProblemHttpResult InvalidBulkAction(string detail) =>
        Kinds.InvalidBulkAction.Result(detail);

    public static ProblemHttpResult BulkActionNotFound(Guid id) =>
        Kinds.BulkActionNotFound.Result($"No bulk action '{id}'.");

    /// <summary>The kinds of <see cref="BulkActionProblems"/>.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind InvalidBulkAction = new(StatusCodes.Status400BadRequest, "invalid-bulk-action", "The bulk action is not valid.");

        public static readonly ProblemKind BulkActionNotFound = new(StatusCodes.Status404NotFound, "bulk-action-not-found", "The bulk action does not exist.");
    }
}
