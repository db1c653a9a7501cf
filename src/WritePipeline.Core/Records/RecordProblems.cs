using WritePipeline.Problems;

namespace WritePipeline.Records;

/// <summary>The problems reading a record or its history is answered with.</summary>
public static class RecordProblems
{
    public static Problem RecordNotFound(string collection, string key) =>
        Kinds.RecordNotFound.Problem($"'{collection}/{key}' does not exist or was deleted.");

    /// <summary>The kinds of <see cref="RecordProblems"/>.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind RecordNotFound = new(404, "record-not-found", "The record does not exist.");
    }
}
