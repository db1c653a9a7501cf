using WritePipeline.Problems;

namespace WritePipeline.Collections;

/// <summary>The problems the collection declarations are answered with: an undeclared collection, a document that breaks its schema.</summary>
public static class CollectionProblems
{
    public static Problem UnknownCollection(string collection) =>
        Kinds.UnknownCollection.Problem($"No collection named '{collection}' is declared.");

    /// <summary>A document that breaks its collection's schema; <c>errors</c> lists every failing instance path (a JSON Pointer) with its message.</summary>
    public static Problem SchemaViolation(IReadOnlyList<SchemaViolation> violations) =>
        Kinds.SchemaViolation.Problem(
            $"{violations.Count} {(violations.Count == 1 ? "place breaks" : "places break")} the schema; 'errors' lists them.",
            new() { ["errors"] = violations.Select(v => new { path = v.Path, message = v.Message }).ToList() });

    /// <summary>The kinds of <see cref="CollectionProblems"/>.</summary>
    public static class Kinds
    {
        public static readonly ProblemKind UnknownCollection = new(404, "unknown-collection", "The collection is not declared.");

        public static readonly ProblemKind SchemaViolation = new(422, "schema-violation", "The document does not satisfy the collection's schema.");
    }
}
