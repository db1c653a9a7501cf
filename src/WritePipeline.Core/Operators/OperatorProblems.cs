using WritePipeline.Problems;

namespace WritePipeline.Operators;

/// <summary>The problems operator administration is answered with.</summary>
public static class OperatorProblems
{
    public static Problem InvalidOperator(string detail) =>
        Kinds.InvalidOperator.Problem(detail);

    public static Problem OperatorChangeRefused(string detail) =>
        Kinds.OperatorChangeRefused.Problem(detail);

    public static Problem OperatorNotFound(Guid id) =>
        Kinds.OperatorNotFound.Problem($"No operator {id}.");

    /// <summary>The kinds of <see cref="OperatorProblems"/>.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind InvalidOperator = new(400, "invalid-operator", "The operator account is not valid.");

        public static readonly ProblemKind OperatorChangeRefused = new(409, "operator-change-refused", "The change would leave nobody to manage operators.");

        public static readonly ProblemKind OperatorNotFound = new(404, "operator-not-found", "The operator does not exist.");
    }
}
