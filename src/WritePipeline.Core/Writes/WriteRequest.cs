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
        var canonical = string.Join('\n', Operation, Collection, Key, IfMatchVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", IfNoneMatchAny ? "*" : "", Body ?? "");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
