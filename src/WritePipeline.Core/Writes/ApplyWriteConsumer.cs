using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Contracts;
using WritePipeline.Partitioning;

namespace WritePipeline.Writes;

/// <summary>
/// Applies writes from a partition queue: different keys concurrently, one key's writes one after another in
/// delivery order (<see cref="PerKeyDeliveryOrder"/>). It retries passing failures itself, inside the key's turn, so
/// a later write to the same key can never overtake one that is being retried (ENVIRONMENT.md, trap 3).
/// </summary>
public sealed class ApplyWriteConsumer(
    IServiceScopeFactory scopes,
    PartitionMap partitions,
    PerKeyDeliveryOrder deliveryOrder,
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

        // On RabbitMQ a partition's deliveries run concurrently: wait for this key's turn, in delivery order.
        // (The in-memory transport delivers a partition one write at a time and needs no turn.)
        using var turn = context.ReceiveContext.TryGetPayload(out RabbitMqBasicConsumeContext? rabbit)
            ? await deliveryOrder.TakeTurnAsync(rabbit.ConsumerTag, rabbit.DeliveryTag, PartitionMap.RecordIdentity(message.Collection, message.Key), context.CancellationToken)
            : null;

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
