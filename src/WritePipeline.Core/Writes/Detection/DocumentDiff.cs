using System.Text.Json.Nodes;
using WritePipeline.Json;

namespace WritePipeline.Writes.Detection;

/// <summary>One place where the attempted document differs from the current one.</summary>
public sealed record DocumentChange(string Path, JsonNode? Current, JsonNode? Attempted);

/// <summary>The differences between two documents, leaf by leaf (arrays compare as whole values).</summary>
public static class DocumentDiff
{
    public static IReadOnlyList<DocumentChange> Between(JsonNode? current, JsonNode? attempted)
    {
        var changes = new List<DocumentChange>();
        Compare(string.Empty, current, attempted, changes);
        return changes;
    }

    static void Compare(string path, JsonNode? current, JsonNode? attempted, List<DocumentChange> changes)
    {
        if (current is JsonObject currentObject && attempted is JsonObject attemptedObject)
        {
            foreach (var name in currentObject.Select(p => p.Key).Union(attemptedObject.Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                currentObject.TryGetPropertyValue(name, out var left);
                attemptedObject.TryGetPropertyValue(name, out var right);
                Compare(JsonPointer.Append(path, name), left, right, changes);
            }

            return;
        }

        if (!JsonNode.DeepEquals(current, attempted))
        {
            changes.Add(new DocumentChange(path.Length == 0 ? "/" : path, current?.DeepClone(), attempted?.DeepClone()));
        }
    }
}
