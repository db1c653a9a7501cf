namespace WritePipeline.Collections;

/// <summary>The declaration of one collection: its constraints and how its conflicts are handled.</summary>
public sealed class CollectionOptions
{
    /// <summary>JSON pointers of fields whose values must be unique across the collection (enforced from the conflict issue on).</summary>
    public List<string> UniqueFields { get; set; } = [];

    /// <summary>JSON pointer of a field -> the collection whose record it names.</summary>
    public Dictionary<string, string> References { get; set; } = new(StringComparer.Ordinal);

    /// <summary><c>auto</c> (notify when the submitter has a webhook, else park), <c>notify</c> or <c>park</c>.</summary>
    public string ConflictPolicy { get; set; } = ConflictPolicies.Auto;

    public const string Hold = "hold";
    public const string Continue = "continue";

    /// <summary><c>hold</c> (later writes to a conflicted key wait behind it) or <c>continue</c>.</summary>
    public string OnConflict { get; set; } = Hold;

    /// <summary>
    /// The JSON Schema (2020-12) every document must satisfy: the schema itself, a string starting with <c>{</c>, or the
    /// path of a file holding it (relative to the host's content root). None: any JSON object.
    /// </summary>
    public string? Schema { get; set; }

    /// <summary>Whether <see cref="Schema"/> is set (an empty value, e.g. from an environment variable, declares none).</summary>
    public bool DeclaresSchema => !string.IsNullOrWhiteSpace(Schema);

    /// <summary>
    /// How long a write whose referenced record does not exist yet is retried (status <c>waiting</c>, its key held
    /// behind it) before it becomes a <c>missing_reference</c> conflict: a child may be submitted before its parent,
    /// whose write travels on another partition. Zero conflicts at once.
    /// </summary>
    public TimeSpan ReferenceGrace { get; set; } = TimeSpan.FromSeconds(30);
}
