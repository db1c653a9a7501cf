namespace WritePipeline.Writes;

/// <summary>The body of a 202: the write was accepted and is on the broker. Its Location is <see cref="StatusPath"/>.</summary>
public sealed record WriteReceipt(Guid WriteId, string Status, string Collection, string Key, string Operation, DateTimeOffset SubmittedAt)
{
    /// <summary>The path of a write's status resource, <c>/v1/writes/{writeId}</c>: the Location of its receipt, and the link its webhooks carry.</summary>
    public static string StatusPath(Guid writeId) => "/v1/writes/" + writeId;

    public static WriteReceipt For(Write write) =>
        new(write.Id, WriteStatus.Queued, write.Collection, write.Key, write.Operation, write.SubmittedAt);
}
