using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WritePipeline.Client.Webhooks;

/// <summary>Why a delivery was refused: the receiver answers it with a 4xx and the pipeline attempts it again later.</summary>
public sealed class WebhookVerificationException(string message) : Exception(message);

/// <summary>
/// Verifies a Standard Webhooks (v1) delivery over its raw body: the HMAC-SHA256 of <c>{webhook-id}.{webhook-timestamp}.{body}</c>
/// under any of the receiver's secrets must equal any of the <c>v1,</c> signatures of the <c>webhook-signature</c>
/// header (during a secret rotation the pipeline signs with both secrets, and a receiver may hold either), compared in
/// constant time, and the timestamp must be within <see cref="Tolerance"/> of now (a replayed old delivery is refused).
/// </summary>
public sealed class WebhookVerifier
{
    const string SecretPrefix = "whsec_";
    const string VersionPrefix = "v1,";

    readonly byte[][] _keys;
    readonly TimeProvider _clock;

    /// <param name="secrets">The endpoint's signing secrets (<c>whsec_</c> + base64), the current one and, during a rotation, the previous one.</param>
    /// <param name="tolerance">How far a delivery's timestamp may be from now; five minutes when null, as the specification suggests.</param>
    /// <param name="clock">Now; the system clock when null.</param>
    public WebhookVerifier(IEnumerable<string> secrets, TimeSpan? tolerance = null, TimeProvider? clock = null)
    {
        _keys = [.. secrets.Select(KeyOf)];
        if (_keys.Length == 0)
        {
            throw new ArgumentException("At least one signing secret is needed.", nameof(secrets));
        }

        Tolerance = tolerance ?? TimeSpan.FromMinutes(5);
        _clock = clock ?? TimeProvider.System;
    }

    public TimeSpan Tolerance { get; }

    /// <summary>Throws <see cref="WebhookVerificationException"/> unless the delivery is signed by one of the secrets and fresh.</summary>
    /// <param name="body">The body exactly as received: not a re-serialized copy.</param>
    /// <param name="webhookId">The <c>webhook-id</c> header (the same for every attempt of one delivery: deduplicate on it).</param>
    /// <param name="timestamp">The <c>webhook-timestamp</c> header, Unix seconds.</param>
    /// <param name="signatures">The <c>webhook-signature</c> header: space-separated <c>v1,base64</c> signatures.</param>
    public void Verify(ReadOnlySpan<byte> body, string? webhookId, string? timestamp, string? signatures)
    {
        if (string.IsNullOrEmpty(webhookId) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures))
        {
            throw new WebhookVerificationException("The webhook-id, webhook-timestamp and webhook-signature headers are all required.");
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            throw new WebhookVerificationException("The webhook-timestamp header is not a number of seconds.");
        }

        var age = _clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age > Tolerance || -age > Tolerance)
        {
            throw new WebhookVerificationException($"The delivery's timestamp is more than {Tolerance} from now.");
        }

        var signed = Signed(webhookId, timestamp, body);
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        foreach (var key in _keys)
        {
            HMACSHA256.HashData(key, signed, expected);
            foreach (var signature in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (signature.StartsWith(VersionPrefix, StringComparison.Ordinal)
                    && Convert.TryFromBase64String(signature[VersionPrefix.Length..], given, out var written)
                    && written == given.Length
                    && CryptographicOperations.FixedTimeEquals(expected, given))
                {
                    return;
                }
            }
        }

        throw new WebhookVerificationException("No signature of the delivery matches a secret of this endpoint.");
    }

    static byte[] Signed(string webhookId, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return signed;
    }

    static byte[] KeyOf(string secret) =>
        Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
}
