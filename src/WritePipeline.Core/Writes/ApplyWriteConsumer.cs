using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Contracts;
using WritePipeline.Partitioning;

namespace WritePipeline.Writes;

/// <summary>
/// Applies writes from a partition queue, one at a time (see <see cref="ApplyWriteConsumerDefinition"/>). It retries
/// passing failures itself, before it returns, so a later write to the same key can never overtake one that is
/// being retried (ENVIRONMENT.md, trap 3).
/// </summary>
public sealed class ApplyWriteConsumer(
    IServiceScopeFactory scopes,
    PartitionMap partitions,
    IOptions<WritePipelineOptions> options,
    ILogger<ApplyWriteConsumer> logger) : IConsumer<ApplyWrite>
{
    public async Task Consume(ConsumeContext<ApplyWrite> context)
    {
        var message = context.Message;
        var partition = partitions.PartitionOf(message.Collection, message.Key);
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["WriteId"] = message.WriteId,
            ["Collection"] = message.Collection,
            ["Key"] = message.Key,
            ["Partition"] = partition,
        });

        var worker = options.Value.Worker;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var attemptScope = scopes.CreateAsyncScope();
                var applier = attemptScope.ServiceProvider.GetRequiredService<WriteApplier>();
                var outcome = await applier.ApplyAsync(message, partition, context.CancellationToken);
                logger.LogInformation("Write {Operation} {Outcome} after {Attempts} attempt(s)", message.Operation, outcome, attempt);
                return;
            }
            catch (Exception ex) when (TransientFailures.IsTransient(ex) && !context.CancellationToken.IsCancellationRequested)
            {
                // Retried without limit: giving up would either drop the write or let later writes to the key
                // overtake it. If the worker stops meanwhile, the message goes back to the queue, at its place.
                var delay = TransientFailures.Backoff(attempt, worker.RetryMinimumDelay, worker.RetryMaximumDelay);
                logger.Log(
                    attempt >= 10 ? LogLevel.Error : LogLevel.Warning,
                    ex,
                    "Applying the write failed for a passing reason (attempt {Attempt}); retrying in place in {Delay}",
                    attempt,
                    delay);
                await Task.Delay(delay, context.CancellationToken);
            }
        }
    }
}
