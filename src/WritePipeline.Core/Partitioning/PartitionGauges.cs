using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Telemetry;

namespace WritePipeline.Partitioning;

/// <summary>
/// The partitions' gauges: each partition's backlog on the broker (hosts that talk to one), and in workers the
/// partitions this one holds and what it was delivered and has not acknowledged.
/// </summary>
public sealed class PartitionGauges(IServiceProvider services) : IPipelineGauges
{
    public void Create(Meter meter)
    {
        var backlog = services.GetService<PartitionBacklog>();
        var consumers = services.GetService<PartitionConsumerStates>();
        var worker = services.GetService<WorkerIdentity>();
        meter.CreateObservableGauge(
            "writepipeline.partition.backlog",
            () => backlog?.LastReady() is { } ready ? ready.Select((r, p) => new Measurement<long>(r, new KeyValuePair<string, object?>("partition", p))) : [],
            "{message}",
            "Messages ready on each partition's queue, as the broker last said (read about once a second).");
        if (consumers is null)
        {
            return;
        }

        if (worker is not null)
        {
            meter.CreateObservableGauge(
                "writepipeline.partition.owned",
                () => consumers.Owned.Select(p => new Measurement<int>(1, new KeyValuePair<string, object?>("partition", p), new KeyValuePair<string, object?>("worker", worker.Id))),
                "{partition}",
                "1 for each partition this worker holds the lease of (and consumes, or is subscribing to).");
        }

        // Looked up when observed: the consumers apply writes, and what applies writes counts them on the meter.
        meter.CreateObservableGauge(
            "writepipeline.partition.unacknowledged",
            () => services.GetService<RabbitMqPartitionConsumers>() is { } rabbit
                ? rabbit.Unacknowledged().Select(u => new Measurement<long>(u.Count, new KeyValuePair<string, object?>("partition", u.Partition)))
                : [],
            "{message}",
            "Messages of each partition this worker consumes that the broker delivered and the worker has not acknowledged yet (at most Worker:PrefetchCount); with the broker's ready count, the partition's backlog.");
    }
}
