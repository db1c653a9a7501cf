using System.Globalization;
using System.Text.Json.Nodes;

namespace WritePipeline.Conflicts;

/// <summary>JSON Pointer (RFC 6901), as far as declared fields need it.</summary>
public static class JsonPointer
{
    public static JsonNode? Resolve(JsonNode? root, string path)
    {
        var node = root;
        foreach (var token in path.Split('/').Skip(1))
        {
            var name = token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject obj => obj.TryGetPropertyValue(name, out var child) ? child : null,
                JsonArray array when int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count => array[index],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    public static string Append(string path, string token) =>
        path + "/" + token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
