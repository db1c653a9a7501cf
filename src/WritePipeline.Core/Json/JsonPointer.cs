using System.Text.Json.Nodes;
using Pointer = global::Json.Pointer.JsonPointer;

namespace WritePipeline.Json;

/// <summary>JSON Pointer (RFC 6901, JsonPointer.Net), as far as declared fields and document differences need it.</summary>
public static class JsonPointer
{
    /// <summary>The node at <paramref name="path"/>, or null where there is none (or the path is no JSON pointer).</summary>
    public static JsonNode? Resolve(JsonNode? root, string path)
    {
        if (!Pointer.TryParse(path, out var pointer) || !pointer.TryEvaluate(root, out var node))
        {
            return null;
        }

        // By hand: JsonPointer.Net reads "-" in an array as its last item, where RFC 6901 names no item by it.
        for (var i = 0; i < pointer.SegmentCount; i++)
        {
            if (pointer[i] == "-" && pointer.GetParent(pointer.SegmentCount - i) is { } parent && parent.TryEvaluate(root, out var array) && array is JsonArray)
            {
                return null;
            }
        }

        return node;
    }

    /// <summary><paramref name="path"/> followed by the property <paramref name="token"/>, escaped (~ as ~0, / as ~1).</summary>
    public static string Append(string path, string token) => path + Pointer.Create(token);
}
