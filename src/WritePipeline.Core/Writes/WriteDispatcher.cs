using Microsoft.Extensions.Options;
using WritePipeline.Contracts;
using WritePipeline.Partitioning;

namespace WritePipeline.Writes;

/// <summary>Puts a write on its partition and returns only once the broker has confirmed it.</summary>
public sealed class WriteDispatcher(IPartitionQueues queues, IOptions<TransportOptions> options)
{
    public async Task SendAsync(ApplyWrite message, int partition)
    {
        // Our own deadline, not the request's: a client that hangs up mid-send must not leave us unsure whether
        // we sent; the caller decides from the outcome of this call alone.
        using var deadline = new CancellationTokenSource(options.Value.SendTimeout);
        await queues.SendAsync(partition, PartitionMessage.For(message), deadline.Token);
    }
}
