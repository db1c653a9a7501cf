using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WritePipeline.Webhooks;

/// <summary>Standard Webhooks v1 secrets and signatures.</summary>
public static class WebhookSignatures
{
    public const string SecretPrefix = "whsec_";

    /// <summary>A new signing secret: <c>whsec_</c> + base64 of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary><c>v1,</c> + base64 of HMAC-SHA256 over <c>{id}.{timestamp}.{body}</c>, keyed with the secret's bytes.</summary>
    public static string Sign(string secret, string webhookId, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var content = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>The <c>webhook-signature</c> header: the current secret's signature, and the previous one's while the rotation overlaps.</summary>
    public static string Header(WebhookEndpoint endpoint, string webhookId, long timestamp, string body, DateTimeOffset now)
    {
        var header = Sign(endpoint.Secret, webhookId, timestamp, body);
        return endpoint.PreviousSecret is { } previous && endpoint.PreviousSecretExpiresAt > now
            ? header + " " + Sign(previous, webhookId, timestamp, body)
            : header;
    }
}
