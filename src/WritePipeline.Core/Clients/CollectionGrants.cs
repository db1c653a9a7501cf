using WritePipeline.Collections;

namespace WritePipeline.Clients;

/// <summary>What a grant allows on a collection's records: reading them, writing them, or both.</summary>
[Flags]
public enum CollectionAccess
{
    None = 0,
    Read = 1,
    Write = 2,
}

/// <summary>
/// The collections a client may read and write: grants of the form <c>collection:r</c>, <c>:w</c> or <c>:rw</c>,
/// <c>*</c> standing for every collection. A client holds what all its grants give together; a client without any
/// grant can do nothing. Stored as the grants' text, comma-separated (<see cref="ToString"/>).
/// </summary>
public sealed class CollectionGrants
{
    public const string Every = "*";
    public const int MaxStoredLength = 2000;

    readonly Dictionary<string, CollectionAccess> _grants;

    CollectionGrants(Dictionary<string, CollectionAccess> grants) => _grants = grants;

    public static CollectionGrants None { get; } = new([]);

    /// <summary><c>*:rw</c>: every collection, read and write (the Development client, and clients from before grants).</summary>
    public static CollectionGrants Everything { get; } = new(new Dictionary<string, CollectionAccess>(StringComparer.Ordinal) { [Every] = CollectionAccess.Read | CollectionAccess.Write });

    /// <summary>The grants as listed (<c>customers:rw</c>, <c>orders:r</c>, <c>*:r</c>), or why one is not valid.</summary>
    public static (CollectionGrants? Grants, string? Refusal) Parse(IEnumerable<string?> grants)
    {
        var parsed = new Dictionary<string, CollectionAccess>(StringComparer.Ordinal);
        foreach (var grant in grants)
        {
            var (collection, access) = ParseOne(grant);
            if (access == CollectionAccess.None)
            {
                return (null, $"'{grant}' is not a grant: write COLLECTION:r, COLLECTION:w or COLLECTION:rw, COLLECTION being a collection name or * for every collection.");
            }

            parsed[collection!] = parsed.GetValueOrDefault(collection!) | access;
        }

        var result = new CollectionGrants(parsed);
        return result.ToString().Length > MaxStoredLength
            ? (null, $"The grants come to more than {MaxStoredLength} characters; grant '*' or fewer collections.")
            : (result, null);
    }

    /// <summary>
    /// The grants as stored; text that does not parse grants nothing. Every request asks, and clients hold few distinct
    /// grant texts: each is parsed once (the cache starts over should it ever hold more than a few thousand).
    /// </summary>
    public static CollectionGrants FromStored(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return None;
        }

        if (Parsed.TryGetValue(stored, out var grants))
        {
            return grants;
        }

        if (Parsed.Count > MaxCached)
        {
            Parsed.Clear();
        }

        return Parsed[stored] = Parse(stored.Split(',')).Grants ?? None;
    }

    const int MaxCached = 4096;

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, CollectionGrants> Parsed = new(StringComparer.Ordinal);

    public bool Allows(string collection, CollectionAccess access) =>
        ((_grants.GetValueOrDefault(collection) | _grants.GetValueOrDefault(Every)) & access) == access;

    /// <summary>The grants one by one, in order of collection (<c>*</c> first).</summary>
    public IReadOnlyList<string> List() =>
        [.. _grants.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}:{(g.Value.HasFlag(CollectionAccess.Read) ? "r" : "")}{(g.Value.HasFlag(CollectionAccess.Write) ? "w" : "")}")];

    public override string ToString() => string.Join(',', List());

    static (string? Collection, CollectionAccess Access) ParseOne(string? grant)
    {
        var colon = grant?.LastIndexOf(':') ?? -1;
        if (colon <= 0)
        {
            return (null, CollectionAccess.None);
        }

        var collection = grant![..colon];
        var access = grant[(colon + 1)..] switch
        {
            "r" => CollectionAccess.Read,
            "w" => CollectionAccess.Write,
            "rw" or "wr" => CollectionAccess.Read | CollectionAccess.Write,
            _ => CollectionAccess.None,
        };
        return collection == Every || RecordNames.IsValidCollection(collection) ? (collection, access) : (null, CollectionAccess.None);
    }
}
