using MassTransit;
using Microsoft.Extensions.Options;
using WritePipeline.Contracts;
using WritePipeline.Messaging;
using WritePipeline.Partitioning;

namespace WritePipeline.Writes;

/// <summary>Puts a write on its partition and returns only once the broker has confirmed it.</summary>
public sealed class WriteDispatcher(IBus bus, BrokerTopology topology, IOptions<WritePipelineOptions> options)
{
    public async Task SendAsync(ApplyWrite message, int partition)
    {
        // Our own deadline, not the request's: a client that hangs up mid-send must not leave us unsure whether
        // we sent; the caller decides from the outcome of this call alone.
        using var deadline = new CancellationTokenSource(options.Value.Transport.SendTimeout);
        await topology.WaitUntilDeclaredAsync(deadline.Token);

        var endpoint = await bus.GetSendEndpoint(PartitionTopology.SendAddress(partition));
        await endpoint.Send(
            message,
            context =>
            {
                context.MessageId = message.WriteId;
                // An unroutable write comes back as an error the client sees (503).
                SendRules.Mandatory(context);
            },
            deadline.Token);
    }
}
