using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WritePipeline.Collections;
using WritePipeline.Json;

namespace WritePipeline.Writes.Detection;

/// <summary>One value of a declared unique field, as the database stores it for comparison.</summary>
public sealed record UniqueFieldValue(string Field, string Value);

/// <summary>One declared reference of a document: the field, and the record it names (null key when the value cannot be a key).</summary>
public sealed record DocumentReference(string Field, string Collection, string? Key, string RawValue);

/// <summary>
/// Reads a document's declared constraints: the values of its unique fields and the records it references.
/// Pure, so that the worker, the status view and the tests agree on what a document declares.
/// </summary>
public static class DocumentConstraints
{
    /// <summary>Longer values are stored as a hash so that the unique index stays within every provider's key size.</summary>
    public const int MaxStoredValueLength = 256;

    public static IReadOnlyList<UniqueFieldValue> UniqueValuesOf(CollectionOptions collection, JsonNode? root)
    {
        if (root is null || collection.UniqueFields.Count == 0)
        {
            return [];
        }

        var values = new List<UniqueFieldValue>();
        foreach (var field in collection.UniqueFields)
        {
            // Absent and null values are not values: two records may both leave a unique field empty.
            if (JsonPointer.Resolve(root, field) is { } node && node.GetValueKind() != JsonValueKind.Null)
            {
                values.Add(new UniqueFieldValue(field, Normalise(node)));
            }
        }

        return values;
    }

    public static IReadOnlyList<DocumentReference> ReferencesOf(CollectionOptions collection, JsonNode? root)
    {
        if (root is null || collection.References.Count == 0)
        {
            return [];
        }

        var references = new List<DocumentReference>();
        foreach (var (field, target) in collection.References)
        {
            if (JsonPointer.Resolve(root, field) is not { } node || node.GetValueKind() == JsonValueKind.Null)
            {
                continue;
            }

            var raw = node.ToReadableJson();
            var key = node.GetValueKind() switch
            {
                JsonValueKind.String => node.GetValue<string>(),
                JsonValueKind.Number => raw,
                _ => null,
            };
            references.Add(new DocumentReference(field, target, key is not null && RecordNames.IsValidKey(key) ? key : null, raw));
        }

        return references;
    }

    /// <summary>
    /// The value's compact JSON text: "a" and a differ (string and number), 1.0 and 1 differ too. Written with the
    /// default (escaping) encoder on purpose: stored unique values are compared as this text, and a different escaping
    /// of the same value would no longer meet the one stored before.
    /// </summary>
    static string Normalise(JsonNode node)
    {
        var text = node.ToJsonString();
        return text.Length <= MaxStoredValueLength
            ? text
            : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
