namespace WritePipeline.Writes.Detection;

/// <summary>
/// Everything a person needs to decide about a conflicted write, captured when the conflict was detected: what
/// went wrong, the record as it was then, the version the client based its write on, what the write would have
/// made of the record, and the difference. The attempted write itself (operation, body, preconditions) is on the
/// write. Replaced when a resolution conflicts again.
/// </summary>
public sealed class WriteConflict
{
    public Guid WriteId { get; set; }

    /// <summary>
    /// This conflict's identity, new each time the write conflicts. It travels in <c>WriteConflicted</c> and the saga
    /// keeps it, so a repeated or late message is recognised exactly, whatever precision the database kept of the time.
    /// </summary>
    public Guid ConflictId { get; set; }

    /// <summary>The conflict kind (<see cref="Writes.WriteErrors"/>).</summary>
    public required string Type { get; set; }

    public required string Detail { get; set; }

    public DateTimeOffset DetectedAt { get; set; }

    /// <summary>The record's version when the conflict was detected; null when it had never existed.</summary>
    public long? CurrentVersion { get; set; }

    /// <summary>The record's document then; null when it did not exist (never created, or deleted).</summary>
    public string? CurrentDocument { get; set; }

    /// <summary>The version the client based its write on (its If-Match), when it named one.</summary>
    public long? BasedOnVersion { get; set; }

    /// <summary>The document the write would have produced (a patch applied to the current document); null for a delete.</summary>
    public string? AttemptedDocument { get; set; }

    /// <summary>JSON array of <see cref="DocumentChange"/>: current against attempted, leaf by leaf.</summary>
    public required string Changes { get; set; }

    /// <summary>JSON object with what the conflict is about: the unique field and who holds its value, the missing reference.</summary>
    public string? Subject { get; set; }
}
