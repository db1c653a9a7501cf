using MassTransit;

namespace WritePipeline.Messaging;

/// <summary>How every message of the pipeline is sent.</summary>
public static class SendRules
{
    /// <summary>
    /// Durable, and returned rather than dropped when nothing is bound to take it: an unroutable message must be an
    /// error the sender sees, never a confirm for a message that is gone (ENVIRONMENT.md, trap 1).
    /// </summary>
    public static void Mandatory(SendContext context)
    {
        context.Durable = true;
        if (context.TryGetPayload(out RabbitMqSendContext? rabbit))
        {
            rabbit.Mandatory = true;
        }
    }
}
