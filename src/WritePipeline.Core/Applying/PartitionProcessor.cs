using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Conflicts;
using WritePipeline.Contracts;
using WritePipeline.Partitioning;
using WritePipeline.Telemetry;
using WritePipeline.Writes;

namespace WritePipeline.Applying;

/// <summary>
/// Applies a batch of deliveries of one partition, in their order, and returns once every one of them has committed
/// and been handed over: consecutive writes together (<see cref="WriteBatchApplier"/>), a decision about a conflict
/// in its place (<see cref="ResolutionApplier"/>), a retry of a write waiting for a reference in its place
/// (<see cref="ReferenceRetries"/>), an unreadable message recorded on its write. The caller
/// acknowledges the batch only after this returns.
/// </summary>
/// <remarks>
/// When tracing, each message's apply span is in the trace the message came with, and the batch's span links to them
/// all (<see cref="PipelineTracing"/>); a write's span is current, and its log scope open, wherever that write alone
/// is at work: applied one at a time, handed over, its outcome logged.
/// </remarks>
public sealed class PartitionProcessor(
    WriteBatchApplier writes,
    ResolutionApplier resolutions,
    ReferenceRetries referenceRetries,
    ConflictHandover handover,
    IServiceScopeFactory scopes,
    InPlaceRetry retry,
    PipelineMeter meter,
    TimeProvider clock,
    IOptions<TransportOptions> transport,
    ILogger<PartitionProcessor> logger) : IPartitionBatchProcessor
{
    readonly string? _messagingSystem = transport.Value.Kind == TransportKind.RabbitMq ? PipelineTracing.RabbitMq : null;

    public async Task ProcessAsync(int partition, IReadOnlyList<PartitionDelivery> deliveries, CancellationToken cancellationToken)
    {
        meter.Batch(deliveries.Count);
        using var batchSpan = PartitionSpans.StartApplyBatch(_messagingSystem, partition, deliveries);
        var next = 0;
        while (next < deliveries.Count)
        {
            var delivery = deliveries[next];
            switch (delivery.Message)
            {
                case null:
                    await StepAsync(delivery.MessageId, () => InScopeAsync<UnreadableWrites>(unreadable => unreadable.RecordAsync(delivery.MessageId, delivery.Unreadable!, cancellationToken)), cancellationToken);
                    next++;
                    break;

                case PartitionMessage.OfRetry { Retry: var referenceRetry }:
                    await StepAsync(delivery.MessageId, () => referenceRetries.RetryAsync(referenceRetry, partition, cancellationToken), cancellationToken);
                    next++;
                    break;

                case PartitionMessage.OfResolution { Resolution: var resolution }:
                    using (PartitionSpans.StartApply(_messagingSystem, delivery.Parent, resolution, partition))
                    {
                        await StepAsync(delivery.MessageId, () => resolutions.CarryOutAsync(resolution, partition, cancellationToken), cancellationToken);
                    }

                    next++;
                    break;

                case PartitionMessage.OfWrite:
                    next = await ApplyWritesAsync(deliveries, next, partition, cancellationToken);
                    break;

                default:
                    throw new InvalidOperationException($"A partition message of kind {delivery.Message.GetType().Name} has no step.");
            }
        }
    }

    /// <summary>
    /// The consecutive writes from <paramref name="from"/> on, applied together and handed over in their order; where
    /// the next delivery that is not a write starts.
    /// </summary>
    async Task<int> ApplyWritesAsync(IReadOnlyList<PartitionDelivery> deliveries, int from, int partition, CancellationToken cancellationToken)
    {
        var run = new List<ApplyWrite>();
        var spans = PipelineTracing.IsTracing ? new List<Activity?>() : null;
        try
        {
            var next = from;
            for (; next < deliveries.Count && deliveries[next].Message is PartitionMessage.OfWrite { Write: var write }; next++)
            {
                run.Add(write);
                spans?.Add(PartitionSpans.StartApplyAside(_messagingSystem, deliveries[next].Parent, write, partition));
            }

            var results = await writes.ApplyAsync(run, partition, cancellationToken, spans);
            for (var i = 0; i < results.Count; i++)
            {
                await HandOverAsync(results[i], spans?[i], partition, cancellationToken);
            }

            return next;
        }
        finally
        {
            spans?.ForEach(span => span?.Dispose());
        }
    }

    /// <summary>Counts and hands over what became of one write; logs it unless it was applied in its turn (or skipped, at Debug).</summary>
    async Task HandOverAsync(ApplyResult result, Activity? span, int partition, CancellationToken cancellationToken)
    {
        meter.Outcome(result, clock.GetUtcNow());
        span.SetOutcome(result.Outcome);
        if (result.Write is not { } write || (result is { Outcome: ApplyOutcome.Applied, Deliveries: null or [] }))
        {
            // Nothing of this write is left to do or to say: no span to make current, no scope to open.
            return;
        }

        // Only this write's: the change of the current activity ends with this method.
        Activity.Current = span ?? Activity.Current;
        using var scope = logger.BeginWriteScope(write.Id, write.Collection, write.Key, partition);
        await retry.RunAsync(() => handover.SendAsync(result, cancellationToken), InPlaceRetry.UntilSent, cancellationToken);
        if (result.Outcome == ApplyOutcome.Skipped)
        {
            logger.LogDebug("Write {WriteId} is already {Status}; this delivery is skipped", write.Id, write.Status);
        }
        else if (result.Outcome != ApplyOutcome.Applied)
        {
            logger.LogInformation("Write {WriteId} to {Collection}/{Key} on partition {Partition}: {Outcome}", write.Id, write.Collection, write.Key, partition, result.Outcome);
        }
    }

    /// <summary>
    /// One message's step that is not a write's own apply, retried in place as a step on one write is
    /// (<see cref="InPlaceRetry.Bounded"/>): the write it is about ends failed within the step when that write cannot be
    /// applied; a step that still cannot succeed (a bug in the step itself) is logged as an error and left, so that
    /// the partition goes on.
    /// </summary>
    async Task StepAsync(string? messageId, Func<Task> step, CancellationToken cancellationToken)
    {
        try
        {
            await retry.RunAsync(step, retry.Bounded(), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (TransientFailures.Classify(ex) == FailureKind.Data || TransientFailures.IsUnexpected(ex)))
        {
            logger.LogError(ex, "Message {MessageId} could not be processed and is left; its partition goes on", messageId);
        }
    }

    /// <summary>One attempt on a scoped service (a fresh DbContext per attempt).</summary>
    async Task InScopeAsync<TService>(Func<TService, Task> step)
        where TService : notnull
    {
        await using var scope = scopes.CreateAsyncScope();
        await step(scope.ServiceProvider.GetRequiredService<TService>());
    }
}
