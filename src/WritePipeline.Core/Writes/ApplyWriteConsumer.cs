using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WritePipeline.Conflicts;
using WritePipeline.Contracts;
using WritePipeline.Partitioning;

namespace WritePipeline.Writes;

/// <summary>
/// Applies writes from a partition queue: different keys concurrently, one key's writes one after another in
/// delivery order, passing failures retried in place (<see cref="PartitionWork"/>). A conflict is handed to the
/// write's conflict saga once it has committed.
/// </summary>
public sealed class ApplyWriteConsumer(PartitionWork work, ILogger<ApplyWriteConsumer> logger) : IConsumer<ApplyWrite>
{
    public Task Consume(ConsumeContext<ApplyWrite> context)
    {
        var message = context.Message;
        return work.RunAsync(context, message.WriteId, message.Collection, message.Key, async (services, partition) =>
        {
            var result = await services.GetRequiredService<WriteApplier>().ApplyAsync(message, partition, context.CancellationToken);
            await ConflictHandover.SendAsync(context, result);
            logger.LogInformation("Write {Operation} {Outcome}", message.Operation, result.Outcome);
        });
    }
}
