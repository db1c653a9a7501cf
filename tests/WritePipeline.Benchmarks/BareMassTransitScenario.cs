using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Partitioning;
using WritePipeline.Testing;

namespace WritePipeline.Benchmarks;

/// <summary>The same number of messages over the same keys and partitions, sent and consumed by bare MassTransit.</summary>
public static class BareMassTransitScenario
{
    public static async Task<Figures> RunAsync(BenchmarkSettings settings)
    {
        await using var virtualHost = await TestVirtualHost.CreateAsync();
        var perKey = Math.Max(1, settings.Writes / settings.Keys);
        var total = perKey * settings.Keys;
        var received = new BareReceipts(total);

        var services = new ServiceCollection();
        services.AddSingleton(received);
        services.AddMassTransit(bus =>
        {
            bus.AddConsumer<NoOpConsumer>().ExcludeFromConfigureEndpoints();
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(TestVirtualHost.Host, virtualHost.Name, host =>
                {
                    host.Username("guest");
                    host.Password("guest");
                    host.PublisherConfirmation = true;
                });
                for (var partition = 0; partition < settings.Partitions; partition++)
                {
                    cfg.ReceiveEndpoint("bare-p" + partition, endpoint =>
                    {
                        // The pipeline's partition settings: quorum, single active consumer, prefetch 64, and as many
                        // messages at once as the pipeline's default Worker:ConcurrentWritesPerPartition.
                        endpoint.ConfigureConsumeTopology = false;
                        endpoint.SetQuorumQueue();
                        endpoint.SingleActiveConsumer = true;
                        endpoint.PrefetchCount = 64;
                        endpoint.ConcurrentMessageLimit = 4;
                        endpoint.ConfigureConsumer<NoOpConsumer>(context);
                    });
                }
            });
        });

        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        try
        {
            var map = new PartitionMap(settings.Partitions);
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(
                Enumerable.Range(0, settings.Keys),
                new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency },
                async (key, cancellationToken) =>
                {
                    var endpoint = await bus.GetSendEndpoint(new Uri("exchange:bare-p" + map.PartitionOf("customers", $"bench-{key}")));
                    for (var seq = 1; seq <= perKey; seq++)
                    {
                        await endpoint.Send(new BareWrite { Key = $"bench-{key}", Seq = seq, SentAt = DateTime.UtcNow }, cancellationToken);
                    }
                });
            var accepted = clock.Elapsed;
            await received.All.WaitAsync(settings.TimeLimit);
            var consumed = clock.Elapsed;

            var latencies = received.Latencies.OrderBy(l => l).ToList();
            return new Figures(total / accepted.TotalSeconds, total / consumed.TotalSeconds, Percentiles.Of(latencies, 50), Percentiles.Of(latencies, 99));
        }
        finally
        {
            await bus.StopAsync();
        }
    }
}

public sealed record BareWrite
{
    public required string Key { get; init; }

    public int Seq { get; init; }

    public DateTime SentAt { get; init; }
}

public sealed class BareReceipts(int expected)
{
    readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _count;

    public ConcurrentBag<double> Latencies { get; } = [];

    public Task All => _all.Task;

    public void Record(DateTime sentAt)
    {
        Latencies.Add((DateTime.UtcNow - sentAt).TotalMilliseconds);
        if (Interlocked.Increment(ref _count) == expected)
        {
            _all.TrySetResult();
        }
    }
}

public sealed class NoOpConsumer(BareReceipts receipts) : IConsumer<BareWrite>
{
    public Task Consume(ConsumeContext<BareWrite> context)
    {
        receipts.Record(context.Message.SentAt);
        return Task.CompletedTask;
    }
}
