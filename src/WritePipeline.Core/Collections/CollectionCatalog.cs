using Microsoft.Extensions.Options;

namespace WritePipeline.Collections;

/// <summary>The declared collections, as configured; the built-in defaults when none are.</summary>
public sealed class CollectionCatalog
{
    readonly IReadOnlyDictionary<string, CollectionOptions> _collections;

    public CollectionCatalog(IOptions<WritePipelineOptions> options)
        : this(options.Value.Collections)
    {
    }

    public CollectionCatalog(IReadOnlyDictionary<string, CollectionOptions> configured)
    {
        _collections = configured.Count > 0 ? configured : Defaults;
    }

    /// <summary>The collections a fresh install declares: customers with a unique email, orders that reference a customer.</summary>
    public static IReadOnlyDictionary<string, CollectionOptions> Defaults { get; } = new Dictionary<string, CollectionOptions>(StringComparer.Ordinal)
    {
        ["customers"] = new() { UniqueFields = ["/email"] },
        ["orders"] = new() { References = new(StringComparer.Ordinal) { ["/customerId"] = "customers" } },
    };

    public IEnumerable<string> Names => _collections.Keys;

    public bool TryGet(string name, out CollectionOptions collection) =>
        _collections.TryGetValue(name, out collection!);

    /// <summary>Whether a conflict on <paramref name="collection"/> holds the key's later writes behind it (the default).</summary>
    public bool HoldsOnConflict(string collection) =>
        !TryGet(collection, out var options) || options.OnConflict != CollectionOptions.Continue;

    /// <summary>How long a write of <paramref name="collection"/> waits for a record it references (<see cref="CollectionOptions.ReferenceGrace"/>).</summary>
    public TimeSpan ReferenceGraceOf(string collection) =>
        TryGet(collection, out var options) ? options.ReferenceGrace : TimeSpan.Zero;
}
