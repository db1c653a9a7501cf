using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Json.Schema.Keywords;
using WritePipeline.Problems;

namespace WritePipeline.Collections;

/// <summary>
/// A collection's JSON Schema (<c>Collections:&lt;name&gt;:Schema</c>), built once and shared by every validation:
/// JSON Schema 2020-12 unless the schema's <c>$schema</c> names another draft. docs/operations.md describes the setting.
/// </summary>
public sealed class CollectionSchema
{
    readonly JsonSchema _schema;

    CollectionSchema(JsonSchema schema) => _schema = schema;

    /// <summary>
    /// The schema <paramref name="setting"/> gives: the JSON itself when it starts with <c>{</c>, otherwise the path of
    /// a file holding it (relative paths from <paramref name="baseDirectory"/>); or why it cannot be used.
    /// </summary>
    public static (CollectionSchema? Schema, string? Problem) Load(string collection, string setting, string baseDirectory)
    {
        var key = $"WritePipeline:Collections:{collection}:Schema";
        string text;
        if (setting.TrimStart().StartsWith('{'))
        {
            text = setting;
        }
        else
        {
            var path = Path.Combine(baseDirectory, setting.Trim());
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return (null, $"{key}: the schema file '{path}' cannot be read ({ex.Message}). Give the path of a JSON Schema file, or the schema itself as a string holding a JSON object.");
            }
        }

        try
        {
            // A registry of its own: schemas of different collections (or of two hosts in one process) may share an $id.
            var options = new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft202012 };
            var schema = JsonSchema.FromText(text, options);
            return UnresolvedReference(schema.Root) is { } reference
                ? (null, $"{key}: the reference '{reference}' cannot be resolved; a schema may refer only to itself and its parts ($defs), nothing is fetched.")
                : (new CollectionSchema(schema), null);
        }
        catch (Exception ex) when (ex is JsonException or JsonSchemaException or ArgumentException or InvalidOperationException)
        {
            return (null, $"{key} is not a valid JSON Schema: {ex.Message}");
        }
    }

    /// <summary>
    /// The first <c>$ref</c> the build could not resolve. JsonSchema.Net leaves it for the evaluation, which would throw
    /// on every write of the collection that reaches it: on a worker, a partition retrying the same write for ever.
    /// </summary>
    static string? UnresolvedReference(JsonSchemaNode root)
    {
        var seen = new HashSet<JsonSchemaNode>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<JsonSchemaNode>([root]);
        while (pending.TryPop(out var node))
        {
            if (!seen.Add(node))
            {
                continue;
            }

            foreach (var keyword in node.Keywords ?? [])
            {
                if (keyword.Handler is RefKeyword && keyword.Subschemas is null or { Length: 0 })
                {
                    return keyword.RawValue.ToString();
                }

                foreach (var subschema in keyword.Subschemas ?? [])
                {
                    pending.Push(subschema);
                }
            }
        }

        return null;
    }

    /// <summary>Every place where <paramref name="document"/> breaks the schema, in the order the schema evaluates them; empty when it satisfies it.</summary>
    public IReadOnlyList<SchemaViolation> Validate(JsonNode document)
    {
        var results = _schema.Evaluate(JsonSerializer.SerializeToElement(document), new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical });
        if (results.IsValid)
        {
            return [];
        }

        var violations = new List<SchemaViolation>();
        Collect(results, violations);
        return violations;
    }

    /// <summary>What a client or an operator reads in a write's error detail: every violation, path first.</summary>
    public static string Describe(IReadOnlyList<SchemaViolation> violations) =>
        "The document does not satisfy the collection's schema: "
        + string.Join("; ", violations.Select(v => $"\"{v.Path}\": {v.Message}"))
        + ".";

    static void Collect(EvaluationResults node, List<SchemaViolation> into)
    {
        // A branch that passed (one alternative of an anyOf, say) holds its failed siblings' errors: not the document's.
        if (node.IsValid)
        {
            return;
        }

        foreach (var error in node.Errors ?? new Dictionary<string, string>())
        {
            into.Add(new SchemaViolation(node.InstanceLocation.ToString(), error.Value));
        }

        foreach (var child in node.Details ?? [])
        {
            Collect(child, into);
        }
    }
}
