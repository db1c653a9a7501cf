using System.Security.Cryptography;
using System.Text;

namespace WritePipeline.Clients;

/// <summary>Making and hashing API keys.</summary>
public static class ApiKeys
{
    const string Prefix = "wp_";

    /// <summary>Characters of a generated key after its prefix: 32 bytes in base64url without padding.</summary>
    const int TokenLength = 43;

    /// <summary>
    /// Whether <paramref name="apiKey"/> could be a key of ours: the prefix, then base64url, no longer than a generated
    /// key (shorter ones are allowed for the Development key). Anything else is refused without a lookup.
    /// </summary>
    public static bool IsWellFormed(string apiKey) =>
        apiKey.Length > Prefix.Length
        && apiKey.Length <= Prefix.Length + TokenLength
        && apiKey.StartsWith(Prefix, StringComparison.Ordinal)
        && !apiKey.AsSpan(Prefix.Length).ContainsAnyExcept(Base64UrlCharacters);

    static readonly System.Buffers.SearchValues<char> Base64UrlCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>A new key: a recognisable prefix and 32 random bytes, base64url.</summary>
    public static string Generate() => NewToken(Prefix);

    /// <summary>A bearer token: <paramref name="prefix"/> and 32 random bytes, base64url (API keys, operator tokens).</summary>
    public static string NewToken(string prefix) => prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// SHA-256, hex, of a key or token. A plain fast hash is enough here: they are 256 random bits, so there is nothing to guess
    /// by brute force, and a lookup by hash needs the same hash every time (no salt).
    /// </summary>
    public static string Hash(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
