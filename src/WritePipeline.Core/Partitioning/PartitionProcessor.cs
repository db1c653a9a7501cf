using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WritePipeline.Conflicts;
using WritePipeline.Contracts;
using WritePipeline.Writes;

namespace WritePipeline.Partitioning;

/// <summary>One delivery from a partition queue: its message, or why it could not be read.</summary>
public sealed record PartitionDelivery(PartitionMessage? Message, string? MessageId, string? Unreadable = null)
{
    public static PartitionDelivery Read(string? type, string? messageId, ReadOnlyMemory<byte> body)
    {
        try
        {
            return new PartitionDelivery(PartitionMessageFormat.Decode(type, body), messageId);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException or ArgumentException)
        {
            return new PartitionDelivery(null, messageId, $"The message could not be read: {ex.Message}");
        }
    }
}

/// <summary>
/// Applies a batch of deliveries of one partition, in their order, and returns once every one of them has committed
/// and been handed over: consecutive writes together (<see cref="WriteBatchApplier"/>), a decision about a conflict
/// in its place (<see cref="ResolutionApplier"/>), an unreadable message recorded on its write. The caller
/// acknowledges the batch only after this returns.
/// </summary>
public sealed class PartitionProcessor(
    WriteBatchApplier writes,
    ResolutionApplier resolutions,
    ConflictHandover handover,
    IServiceScopeFactory scopes,
    InPlaceRetry retry,
    Telemetry.PipelineMeter meter,
    TimeProvider clock,
    ILogger<PartitionProcessor> logger)
{
    public async Task ProcessAsync(int partition, IReadOnlyList<PartitionDelivery> deliveries, CancellationToken cancellationToken)
    {
        meter.Batch(deliveries.Count);
        var next = 0;
        while (next < deliveries.Count)
        {
            var delivery = deliveries[next];
            if (delivery.Message is null)
            {
                await InScopeAsync<UnreadableWrites>(unreadable => unreadable.RecordAsync(delivery.MessageId, delivery.Unreadable!, cancellationToken), cancellationToken);
                next++;
                continue;
            }

            if (delivery.Message.Check is { } check)
            {
                await InScopeAsync<UnconfirmedWrites>(unconfirmed => unconfirmed.RejectIfNeverQueuedAsync(check, cancellationToken), cancellationToken);
                next++;
                continue;
            }

            if (delivery.Message.Resolution is { } resolution)
            {
                await retry.RunAsync(() => resolutions.CarryOutAsync(resolution, partition, cancellationToken), InPlaceRetry.Passing, cancellationToken);
                next++;
                continue;
            }

            var run = new List<ApplyWrite>();
            for (; next < deliveries.Count && deliveries[next].Message?.Write is { } write; next++)
            {
                run.Add(write);
            }

            foreach (var result in await writes.ApplyAsync(run, partition, cancellationToken))
            {
                meter.Outcome(result, clock.GetUtcNow());
                await retry.RunAsync(() => handover.SendAsync(result, cancellationToken), InPlaceRetry.UntilSent, cancellationToken);
                if (result.Outcome is not ApplyOutcome.Applied and not ApplyOutcome.Skipped)
                {
                    logger.LogInformation("Write {WriteId} to {Collection}/{Key} on partition {Partition}: {Outcome}", result.Write?.Id, result.Write?.Collection, result.Write?.Key, partition, result.Outcome);
                }
            }
        }
    }

    /// <summary>One step on a scoped service (a fresh DbContext per attempt), retried in place while it fails for a passing reason.</summary>
    Task InScopeAsync<TService>(Func<TService, Task> step, CancellationToken cancellationToken)
        where TService : notnull =>
        retry.RunAsync(
            async () =>
            {
                await using var scope = scopes.CreateAsyncScope();
                await step(scope.ServiceProvider.GetRequiredService<TService>());
            },
            InPlaceRetry.Passing,
            cancellationToken);
}
