using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace WritePipeline.Json;

/// <summary>
/// The rules every JSON body obeys, whatever the endpoint: UTF-8 only (RFC 8259; an invalid byte is refused, never
/// replaced), no member name twice in one object (a later merge patch or pointer would not know which one is meant),
/// nesting at most <see cref="MaxDepth"/> deep. The size limit is <see cref="ApiOptions.MaxBodyBytes"/>
/// (<c>JsonBodies</c>, in the API host). docs/api.md states them for clients.
/// </summary>
public static class JsonInput
{
    public const int MaxDepth = 64;

    static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = MaxDepth };

    /// <summary>The JSON value of <paramref name="utf8"/>, or why it breaks a rule.</summary>
    public static (JsonNode? Node, string? Refusal) Parse(ReadOnlySpan<byte> utf8)
    {
        if (!Utf8.IsValid(utf8))
        {
            return (null, $"JSON text must be UTF-8; byte {FirstInvalidByte(utf8)} is not part of a valid UTF-8 sequence.");
        }

        try
        {
            return (JsonNode.Parse(utf8, documentOptions: Strict), null);
        }
        catch (JsonException ex)
        {
            return (null, ex.Message);
        }
    }

    static long FirstInvalidByte(ReadOnlySpan<byte> utf8)
    {
        var buffer = new char[Math.Min(utf8.Length, 4096)];
        long offset = 0;
        while (true)
        {
            var status = Utf8.ToUtf16(utf8, buffer, out var read, out _, replaceInvalidSequences: false);
            offset += read;
            utf8 = utf8[read..];
            if (status != System.Buffers.OperationStatus.DestinationTooSmall)
            {
                return offset;
            }
        }
    }
}
