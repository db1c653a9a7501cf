using System.Text.RegularExpressions;

namespace WritePipeline.Collections;

/// <summary>What a collection name and a record key may look like. Both travel in URL path segments and log lines.</summary>
public static partial class RecordNames
{
    public const int MaxCollectionLength = 64;
    public const int MaxKeyLength = 200;

    public static bool IsValidCollection(string? name) => name is not null && CollectionPattern().IsMatch(name);

    public static bool IsValidKey(string? key) => key is not null && KeyPattern().IsMatch(key);

    [GeneratedRegex(@"^[a-z][a-z0-9_-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex CollectionPattern();

    // Unreserved URI characters plus ':' and '@', so a key never needs escaping in a path segment.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._~:@-]{0,199}\z", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
