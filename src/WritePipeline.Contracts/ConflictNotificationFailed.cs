namespace WritePipeline.Contracts;

/// <summary>Event: the webhook that notified a submitter of a conflict could not be delivered (attempts exhausted, 410, endpoint disabled).</summary>
public sealed record ConflictNotificationFailed
{
    public required Guid WriteId { get; init; }

    public required Guid DeliveryId { get; init; }

    /// <summary>Which conflict of the write the notification was about.</summary>
    public required int Conflict { get; init; }

    public required string Reason { get; init; }
}
