namespace WritePipeline.Writes;

/// <summary>
/// The body of a 202: the write was accepted and is on the broker. Its Location is <see cref="StatusPath"/>.
/// <see cref="Replayed"/>: this answers a repeat of an earlier request with the same Idempotency-Key, and the write
/// (same id, same <see cref="SubmittedAt"/>) stands where its first attempt put it.
/// </summary>
public sealed record WriteReceipt(Guid WriteId, string Status, string Collection, string Key, string Operation, DateTimeOffset SubmittedAt, bool Replayed = false)
{
    /// <summary>The path of a write's status resource, <c>/v1/writes/{writeId}</c>: the Location of its receipt, and the link its webhooks carry.</summary>
    public static string StatusPath(Guid writeId) => "/v1/writes/" + writeId;
}
