using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WritePipeline.Json;

/// <summary>
/// How the pipeline writes JSON (responses, webhook payloads, stored documents): escaping only what JSON requires
/// (quotes, backslashes, control characters), so text reads as it was sent (<c>Zoë</c>, <c>+00:00</c>, <c>&lt;b&gt;</c>)
/// instead of <c>\u00EB</c>, <c>\u002B</c>, <c>\u003C</c>. Nothing here is embedded in HTML unencoded: the console
/// encodes what it shows.
/// </summary>
public static class ReadableJson
{
    public static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>Web defaults (camelCase names), readable escaping.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { Encoder = Encoder };

    public static string ToReadableJson(this JsonNode node) => node.ToJsonString(Options);
}
