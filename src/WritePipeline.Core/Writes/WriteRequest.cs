using System.Security.Cryptography;
using System.Text;

namespace WritePipeline.Writes;

/// <summary>A write as the API read it from an HTTP request, before it is recorded and queued.</summary>
public sealed record WriteRequest
{
    public const int MaxIdempotencyKeyLength = 255;

    public required string Collection { get; init; }

    public required string Key { get; init; }

    public required string Operation { get; init; }

    /// <summary>Compact JSON of the document or patch; null for a delete.</summary>
    public string? Body { get; init; }

    public long? IfMatchVersion { get; init; }

    public bool IfNoneMatchAny { get; init; }

    public string? IdempotencyKey { get; init; }

    /// <summary>
    /// Fingerprint of everything that makes two requests the same request: a repeated Idempotency-Key with a
    /// different fingerprint is refused rather than answered with the first request's receipt.
    /// </summary>
    public string Fingerprint()
    {
        var canonical = string.Join('\n', Operation, Collection, Key, IfMatchVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", IfNoneMatchAny ? "*" : "", CanonicalBody(Body));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>
    /// The body as the default (escaping) JSON encoder writes it. Fingerprints stored before bodies were kept as sent
    /// (<see cref="Json.ReadableJson"/>) hashed that text: a retry across the upgrade must still be the same request, not a
    /// 422 that would lead its client to send the write again under a new key. Only a body with something the two
    /// encoders write differently (non-ASCII, <c>&lt;&gt;&amp;'+`</c>, an escape) is written again.
    /// </summary>
    static string CanonicalBody(string? body) =>
        body is null ? string.Empty
        : body.AsSpan().IndexOfAnyExcept(PlainAscii) < 0 ? body
        : System.Text.Json.Nodes.JsonNode.Parse(body)!.ToJsonString();

    static readonly System.Buffers.SearchValues<char> PlainAscii = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c).Where(c => !"<>&'+`\\".Contains(c))]);
}
