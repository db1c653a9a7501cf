using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WritePipeline.Data;

namespace WritePipeline.Writes;

/// <summary>
/// A message on a partition that never reaches the consumer (its body cannot be read, or it is not a write)
/// still names its write by message id: that write ends <c>failed</c> with the reason, so its submitter learns of
/// it from the status resource instead of it waiting forever in <c>queued</c>. MassTransit then keeps the raw
/// message in the partition's <c>_error</c>/<c>_skipped</c> queue for an operator to inspect.
/// </summary>
public sealed class UnprocessableWriteRecorder(IServiceProvider services)
    : IFilter<ExceptionReceiveContext>, IFilter<ReceiveContext>
{
    /// <summary>Error pipe: the message could not be deserialized (or threw before the consumer).</summary>
    public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        await RecordAsync(context, $"The message could not be read: {context.Exception.GetBaseException().Message}");
        await next.Send(context);
    }

    /// <summary>Dead-letter pipe: the message was read but no consumer takes its type.</summary>
    public async Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
    {
        await RecordAsync(context, "The message is not a write this worker can apply (no consumer for its type).");
        await next.Send(context);
    }

    async Task RecordAsync(ReceiveContext context, string detail)
    {
        // Its delivery tag must not hold up the deliveries after it (PerKeyDeliveryOrder).
        if (context.TryGetPayload(out RabbitMqBasicConsumeContext? rabbit))
        {
            services.GetRequiredService<Partitioning.PerKeyDeliveryOrder>().Pass(rabbit.ConsumerTag, rabbit.DeliveryTag);
        }

        var writeId = context.GetMessageId();
        await using var scope = services.CreateAsyncScope();
        var logger = scope.ServiceProvider.GetRequiredService<ILogger<UnprocessableWriteRecorder>>();
        if (writeId is null)
        {
            logger.LogError("An unprocessable message without a message id arrived on {InputAddress}; it goes to the error queue only", context.InputAddress);
            return;
        }

        try
        {
            var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
            var now = DateTimeOffset.UtcNow;
            var marked = await db.Writes
                .Where(w => w.Id == writeId && w.Status == WriteStatus.Queued)
                .ExecuteUpdateAsync(update => update
                    .SetProperty(w => w.Status, WriteStatus.Failed)
                    .SetProperty(w => w.ErrorType, WriteErrors.UnreadableMessage)
                    .SetProperty(w => w.ErrorDetail, detail.Length > 2000 ? detail[..2000] : detail)
                    .SetProperty(w => w.CompletedAt, now));
            logger.LogError("Write {WriteId} could not be processed and ends failed ({Marked} status updated): {Detail}", writeId, marked, detail);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Write {WriteId} could not be processed, and its failure could not be recorded; the message is kept in the error queue", writeId);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("recordUnprocessableWrite");
}
