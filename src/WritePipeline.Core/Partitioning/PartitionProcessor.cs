using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
    IOptions<WritePipelineOptions> options,
    ILogger<PartitionProcessor> logger)
{
    public async Task ProcessAsync(int partition, IReadOnlyList<PartitionDelivery> deliveries, CancellationToken cancellationToken)
    {
        var next = 0;
        while (next < deliveries.Count)
        {
            var delivery = deliveries[next];
            if (delivery.Message is null)
            {
                await InPlaceAsync(
                    async () =>
                    {
                        await using var scope = scopes.CreateAsyncScope();
                        await scope.ServiceProvider.GetRequiredService<UnreadableWrites>().RecordAsync(delivery.MessageId, delivery.Unreadable!, cancellationToken);
                    },
                    cancellationToken);
                next++;
                continue;
            }

            if (delivery.Message.Resolution is { } resolution)
            {
                await InPlaceAsync(() => resolutions.CarryOutAsync(resolution, partition, cancellationToken), cancellationToken);
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
                await InPlaceAsync(() => handover.SendAsync(result, cancellationToken), cancellationToken);
                if (result.Outcome is not ApplyOutcome.Applied and not ApplyOutcome.Skipped)
                {
                    logger.LogInformation("Write {WriteId} to {Collection}/{Key} on partition {Partition}: {Outcome}", result.Write?.Id, result.Write?.Collection, result.Write?.Key, partition, result.Outcome);
                }
            }
        }
    }

    /// <summary>Retries a step that failed for a passing reason in place, in the partition's turn, until it succeeds or the partition stops.</summary>
    async Task InPlaceAsync(Func<Task> step, CancellationToken cancellationToken)
    {
        var worker = options.Value.Worker;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await step();
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && TransientFailures.IsTransient(ex))
            {
                var delay = TransientFailures.Backoff(attempt, worker.RetryMinimumDelay, worker.RetryMaximumDelay);
                logger.Log(attempt >= 10 ? LogLevel.Error : LogLevel.Warning, ex, "A partition step failed for a passing reason (attempt {Attempt}); retrying in place in {Delay}", attempt, delay);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }
}
