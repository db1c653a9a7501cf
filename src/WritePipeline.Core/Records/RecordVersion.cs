namespace WritePipeline.Records;

/// <summary>One applied version of a record, kept as history.</summary>
public sealed class RecordVersion
{
    public required string Collection { get; set; }

    public required string Key { get; set; }

    public long Version { get; set; }

    /// <summary>The document as this version left it; null for a delete.</summary>
    public string? Document { get; set; }

    public required string Operation { get; set; }

    public Guid WriteId { get; set; }

    public DateTimeOffset AppliedAt { get; set; }
}
