using System.Diagnostics;
using System.Text;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using WritePipeline.Benchmarks.Pipeline;
using WritePipeline.Testing;

namespace WritePipeline.Benchmarks.AcceptOnly;

/// <summary>
/// What accepting a write costs with nothing but MassTransit: the same number of messages of the same shape, sent
/// with publisher confirms to the same kind of queues (quorum, single active consumer, declared before the first
/// send), with the same concurrency (keys concurrently, one key's messages one after another), and no consumer.
/// The pipeline's accept path is held against this.
/// </summary>
public static class BarePublisher
{
    const string QueuePrefix = "bare-p";

    public static async Task<BareRun> RunAsync(BenchmarkSettings settings, int perKey)
    {
        await using var virtualHost = await TestVirtualHost.CreateAsync();
        await DeclareQueuesAsync(virtualHost.Name, settings.Partitions);

        var services = new ServiceCollection();
        services.AddMassTransit(bus => bus.UsingRabbitMq((_, cfg) => cfg.Host(TestVirtualHost.Host, virtualHost.Name, host =>
        {
            host.Username("guest");
            host.Password("guest");
            host.PublisherConfirmation = true;
        })));
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        using (var starting = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await bus.StartAsync(starting.Token);
        }

        try
        {
            // To the exchange bound to each queue, never to queue:NAME: that address makes MassTransit declare the queue
            // with default arguments, which RabbitMQ refuses for a quorum queue with single active consumer, and the send
            // then hangs (docs/architecture.md, "RabbitMQ behaviours").
            var endpoints = new ISendEndpoint[settings.Partitions];
            for (var partition = 0; partition < settings.Partitions; partition++)
            {
                endpoints[partition] = await bus.GetSendEndpoint(new Uri("exchange:" + QueuePrefix + partition));
            }

            var (warmKeys, warmPerKey) = Warmup.Shape(settings);
            if (warmKeys > 0)
            {
                await SendAsync(endpoints, "warm-", warmKeys, warmPerKey, settings);
            }

            var elapsed = await SendAsync(endpoints, "bench-", settings.Keys, perKey, settings);
            var expected = (warmKeys * warmPerKey) + (settings.Keys * perKey);
            var onQueues = await BenchmarkBroker.CountMessagesAsync(virtualHost.Name, Enumerable.Range(0, settings.Partitions).Select(p => QueuePrefix + p));
            return new BareRun(settings.Keys * perKey, elapsed, expected, onQueues);
        }
        finally
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await bus.StopAsync(stopping.Token);
        }
    }

    static Task<TimeSpan> SendAsync(ISendEndpoint[] endpoints, string keyPrefix, int keys, int perKey, BenchmarkSettings settings) =>
        Poll.WithinAsync(
            async cancellationToken =>
            {
                var clientId = Guid.NewGuid();
                var clock = Stopwatch.StartNew();
                await Parallel.ForEachAsync(
                    Enumerable.Range(0, keys),
                    new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken },
                    async (key, token) =>
                    {
                        var name = keyPrefix + key;
                        var endpoint = endpoints[PartitionOf(name, endpoints.Length)];
                        for (var seq = 1; seq <= perKey; seq++)
                        {
                            using var document = Submitters.Document(name, seq);
                            await endpoint.Send(
                                new BareWrite
                                {
                                    WriteId = Guid.CreateVersion7(),
                                    ClientId = clientId,
                                    Collection = Submitters.Collection,
                                    Key = name,
                                    Operation = "replace",
                                    Body = await document.ReadAsStringAsync(token),
                                    SubmittedAt = DateTimeOffset.UtcNow,
                                },
                                token);
                        }
                    });
                return clock.Elapsed;
            },
            $"sending {keys * perKey} bare messages",
            settings.TimeLimit);

    /// <summary>The pipeline's partition queue arguments: a durable quorum queue with single active consumer, and a fanout exchange of its name bound to it.</summary>
    static async Task DeclareQueuesAsync(string virtualHost, int partitions)
    {
        await using var connection = await Factory(virtualHost).CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var arguments = new Dictionary<string, object?> { ["x-queue-type"] = "quorum", ["x-single-active-consumer"] = true };
        for (var partition = 0; partition < partitions; partition++)
        {
            var name = QueuePrefix + partition;
            await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false);
            await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments: arguments);
            await channel.QueueBindAsync(name, name, routingKey: string.Empty);
        }
    }

    static ConnectionFactory Factory(string virtualHost) => BenchmarkBroker.Factory(virtualHost, "benchmark-bare");

    /// <summary>A stable spread of keys over the queues (FNV-1a); only the spread matters here, not the pipeline's exact mapping.</summary>
    static int PartitionOf(string key, int partitions)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return (int)(hash % (ulong)partitions);
    }
}

/// <summary>The bare run: messages timed, the time to the last confirm, and messages expected and found on the queues.</summary>
public sealed record BareRun(int Messages, TimeSpan Elapsed, long Expected, long OnQueues)
{
    public double PerSecond => Messages / Elapsed.TotalSeconds;
}

/// <summary>A message shaped like the pipeline's own write message (ids, names, the document, a time).</summary>
public sealed record BareWrite
{
    public Guid WriteId { get; init; }

    public Guid ClientId { get; init; }

    public required string Collection { get; init; }

    public required string Key { get; init; }

    public required string Operation { get; init; }

    public string? Body { get; init; }

    public DateTimeOffset SubmittedAt { get; init; }
}
