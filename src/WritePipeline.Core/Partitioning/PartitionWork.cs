using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Writes;

namespace WritePipeline.Partitioning;

/// <summary>
/// Runs one delivery's work on a record key the way every partition consumer must: in the key's turn (one key's
/// messages one after another, in delivery order; <see cref="PerKeyDeliveryOrder"/>), and retrying passing failures
/// in place, inside that turn, so that a later message for the key can never overtake one being retried
/// (ENVIRONMENT.md, trap 3). Each attempt gets a fresh service scope (a fresh DbContext).
/// </summary>
public sealed class PartitionWork(
    IServiceScopeFactory scopes,
    PartitionMap partitions,
    PerKeyDeliveryOrder deliveryOrder,
    IOptions<WritePipelineOptions> options,
    ILogger<PartitionWork> logger)
{
    public async Task RunAsync(ConsumeContext context, Guid writeId, string collection, string key, Func<IServiceProvider, int, Task> attempt)
    {
        var partition = partitions.PartitionOf(collection, key);
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["WriteId"] = writeId,
            ["Collection"] = collection,
            ["Key"] = key,
            ["Partition"] = partition,
        });

        // On RabbitMQ a partition's deliveries run concurrently: wait for this key's turn, in delivery order.
        // (The in-memory transport delivers a partition one message at a time and needs no turn.)
        using var turn = context.ReceiveContext.TryGetPayload(out RabbitMqBasicConsumeContext? rabbit)
            ? await deliveryOrder.TakeTurnAsync(rabbit.ConsumerTag, rabbit.DeliveryTag, PartitionMap.RecordIdentity(collection, key), context.CancellationToken)
            : null;

        var worker = options.Value.Worker;
        for (var number = 1; ; number++)
        {
            try
            {
                await using var attemptScope = scopes.CreateAsyncScope();
                await attempt(attemptScope.ServiceProvider, partition);
                return;
            }
            catch (Exception ex) when (TransientFailures.IsTransient(ex) && !context.CancellationToken.IsCancellationRequested)
            {
                // Retried without limit: giving up would either drop the message or let later messages for the key
                // overtake it. If the worker stops meanwhile, the message goes back to the queue, at its place.
                var delay = TransientFailures.Backoff(number, worker.RetryMinimumDelay, worker.RetryMaximumDelay);
                logger.Log(
                    number >= 10 ? LogLevel.Error : LogLevel.Warning,
                    ex,
                    "Work on the key failed for a passing reason (attempt {Attempt}); retrying in place in {Delay}",
                    number,
                    delay);
                await Task.Delay(delay, context.CancellationToken);
            }
        }
    }
}
