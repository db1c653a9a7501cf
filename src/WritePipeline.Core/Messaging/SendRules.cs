using MassTransit;

namespace WritePipeline.Messaging;

/// <summary>How every MassTransit message of the pipeline is sent (the partition queues have their own publisher).</summary>
public static class SendRules
{
    /// <summary>Sends <paramref name="message"/> to one of the pipeline's own exchanges (<see cref="Mandatory"/>).</summary>
    public static async Task SendMandatoryAsync<T>(this ISendEndpointProvider endpoints, Uri address, T message, CancellationToken cancellationToken)
        where T : class
    {
        var endpoint = await endpoints.GetSendEndpoint(address);
        await endpoint.Send(message, (SendContext<T> send) => Mandatory(send), cancellationToken);
    }

    /// <summary>
    /// Durable, and returned rather than dropped when nothing is bound to take it: an unroutable message must be an
    /// error the sender sees, never a confirm for a message that is gone (docs/architecture.md, "RabbitMQ behaviours").
    /// </summary>
    static void Mandatory(SendContext context)
    {
        context.Durable = true;
        if (context.TryGetPayload(out RabbitMqSendContext? rabbit))
        {
            rabbit.Mandatory = true;
        }
    }
}
