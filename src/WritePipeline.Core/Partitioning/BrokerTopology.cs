namespace WritePipeline.Partitioning;

/// <summary>
/// Whether the partition topology exists on the broker. Submissions wait for it: a write sent to an exchange
/// with no queue bound yet is confirmed by RabbitMQ and then dropped (docs/architecture.md, "RabbitMQ behaviours").
/// </summary>
public sealed class BrokerTopology
{
    readonly TaskCompletionSource _declared = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsDeclared => _declared.Task.IsCompletedSuccessfully;

    public void MarkDeclared() => _declared.TrySetResult();

    public Task WaitUntilDeclaredAsync(CancellationToken cancellationToken) => _declared.Task.WaitAsync(cancellationToken);
}
