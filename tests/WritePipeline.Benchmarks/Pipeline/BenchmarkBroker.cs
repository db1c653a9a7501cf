using RabbitMQ.Client;
using WritePipeline.Testing;

namespace WritePipeline.Benchmarks.Pipeline;

/// <summary>
/// The benchmark's own connections to RabbitMQ (guest/guest on <see cref="TestVirtualHost.Host"/>), apart from the
/// hosts': to declare queues of its own and to count the messages on queues.
/// </summary>
public static class BenchmarkBroker
{
    /// <summary>A connection factory for <paramref name="virtualHost"/>, its connections named <paramref name="clientName"/>.</summary>
    public static ConnectionFactory Factory(string virtualHost, string clientName) => new()
    {
        HostName = TestVirtualHost.Host,
        VirtualHost = virtualHost,
        UserName = "guest",
        Password = "guest",
        ClientProvidedName = clientName,
    };

    /// <summary>
    /// Messages on <paramref name="queues"/> now, as the broker counts them: a passive declare of each, which has none
    /// of the management API's statistics delay. A queue that does not exist is an error, not an empty queue.
    /// </summary>
    public static async Task<long> CountMessagesAsync(string virtualHost, IEnumerable<string> queues)
    {
        await using var connection = await Factory(virtualHost, "benchmark-count").CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        long total = 0;
        foreach (var queue in queues)
        {
            total += (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }

        return total;
    }
}
