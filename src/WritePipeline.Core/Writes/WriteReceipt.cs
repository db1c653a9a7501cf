namespace WritePipeline.Writes;

/// <summary>The body of a 202: the write was accepted and is on the broker.</summary>
public sealed record WriteReceipt(Guid WriteId, string Status, string Collection, string Key, string Operation, DateTimeOffset SubmittedAt)
{
    public static WriteReceipt For(Write write) =>
        new(write.Id, WriteStatus.Queued, write.Collection, write.Key, write.Operation, write.SubmittedAt);
}
