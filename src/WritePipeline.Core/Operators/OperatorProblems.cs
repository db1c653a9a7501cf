using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using WritePipeline.Problems;

namespace WritePipeline.Operators;

/// <summary>The problems operator administration is answered with.</summary>
public static class OperatorProblems
{
    public static ProblemHttpResult InvalidOperator(string detail) =>
        Kinds.InvalidOperator.Result(detail);

    public static ProblemHttpResult OperatorChangeRefused(string detail) =>
        Kinds.OperatorChangeRefused.Result(detail);

    public static ProblemHttpResult OperatorNotFound(Guid id) =>
        Kinds.OperatorNotFound.Result($"No operator {id}.");

    /// <summary>The kinds of <see cref="OperatorProblems"/>.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind InvalidOperator = new(StatusCodes.Status400BadRequest, "invalid-operator", "The operator account is not valid.");

        public static readonly ProblemKind OperatorChangeRefused = new(StatusCodes.Status409Conflict, "operator-change-refused", "The change would leave nobody to manage operators.");

        public static readonly ProblemKind OperatorNotFound = new(StatusCodes.Status404NotFound, "operator-not-found", "The operator does not exist.");
    }
}
