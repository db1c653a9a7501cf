namespace WritePipeline.Records;

/// <summary>
/// The current state of one record. A deleted record stays as a tombstone (no document) so that its version
/// keeps growing when it is created again: an ETag then never names two different states.
/// </summary>
public sealed class Record
{
    public long Id { get; set; }

    public required string Collection { get; set; }

    public required string Key { get; set; }

    /// <summary>Starts at 1 with the first applied write and grows by one with each; also the concurrency token.</summary>
    public long Version { get; set; }

    /// <summary>The JSON document; null while the record is deleted.</summary>
    public string? Document { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public Guid LastWriteId { get; set; }

    /// <summary>
    /// How many declared references point at this record. Maintained by the database in the transactions that add
    /// and remove references; a record with references cannot be deleted (<c>still_referenced</c>).
    /// </summary>
    public int ReferenceCount { get; set; }

    public bool Exists => Document is not null;
}
