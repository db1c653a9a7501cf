using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace WritePipeline.Collections;

/// <summary>The declared collections, as configured; the built-in defaults when none are. Their schemas are built here, once.</summary>
public sealed class CollectionCatalog
{
    readonly IReadOnlyDictionary<string, CollectionOptions> _collections;
    readonly Dictionary<string, CollectionSchema> _schemas = new(StringComparer.Ordinal);

    /// <param name="declared">The collections declared in the options (section <c>Collections</c>), by name.</param>
    /// <param name="environment">Where relative schema file paths start (its content root); the current directory without it.</param>
    public CollectionCatalog(IOptions<IReadOnlyDictionary<string, CollectionOptions>> declared, IHostEnvironment? environment = null)
        : this(declared.Value, environment?.ContentRootPath)
    {
    }

    /// <param name="configured">The declarations.</param>
    /// <param name="baseDirectory">Where relative schema file paths start (the host's content root); the current directory when null.</param>
    public CollectionCatalog(IReadOnlyDictionary<string, CollectionOptions> configured, string? baseDirectory = null)
    {
        _collections = configured.Count > 0 ? configured : Defaults;
        foreach (var (name, collection) in _collections)
        {
            if (collection.DeclaresSchema)
            {
                // The options validator has reported a schema that cannot be used before anything asks for the catalog.
                var (schema, problem) = CollectionSchema.Load(name, collection.Schema!, baseDirectory ?? Directory.GetCurrentDirectory());
                _schemas[name] = schema ?? throw new InvalidOperationException(problem);
            }
        }
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

    /// <summary>The schema every document of <paramref name="collection"/> must satisfy; null when it declares none.</summary>
    public CollectionSchema? SchemaOf(string collection) =>
        _schemas.Count > 0 && _schemas.TryGetValue(collection, out var schema) ? schema : null;

    /// <summary>How long a write of <paramref name="collection"/> waits for a record it references (<see cref="CollectionOptions.ReferenceGrace"/>).</summary>
    public TimeSpan ReferenceGraceOf(string collection) =>
        TryGet(collection, out var options) ? options.ReferenceGrace : TimeSpan.Zero;
}
