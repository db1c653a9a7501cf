namespace WritePipeline.Writes.Detection;

/// <summary>
/// A value of a declared unique field, claimed by the record that holds it. The table's primary key
/// (collection, field, value) is what enforces uniqueness: two writes that claim the same value at the same time,
/// from any partition or worker, cannot both commit.
/// </summary>
public sealed class UniqueValue
{
    public required string Collection { get; set; }

    /// <summary>The JSON pointer of the field, as declared.</summary>
    public required string Field { get; set; }

    /// <summary>The value as compact JSON text (or its hash when long; see <see cref="DocumentConstraints"/>).</summary>
    public required string Value { get; set; }

    /// <summary>The key of the record that holds the value.</summary>
    public required string Key { get; set; }
}
