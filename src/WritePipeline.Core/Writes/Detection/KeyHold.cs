namespace WritePipeline.Writes.Detection;

/// <summary>
/// A record key whose writes wait behind an unresolved conflicted write (collections with <c>onConflict: hold</c>).
/// Only the key's partition, in the key's turn, reads or changes it, so it needs no locking of its own.
/// </summary>
public sealed class KeyHold
{
    public required string Collection { get; set; }

    public required string Key { get; set; }

    /// <summary>The conflicted write the key waits for; moves to a held write that conflicts when it is released.</summary>
    public Guid BlockingWriteId { get; set; }

    public DateTimeOffset Since { get; set; }

    /// <summary>The last place given to a held write; held writes are released in place order.</summary>
    public long LastPosition { get; set; }
}
