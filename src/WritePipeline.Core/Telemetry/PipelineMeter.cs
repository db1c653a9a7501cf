using System.Diagnostics;
using System.Diagnostics.Metrics;
using WritePipeline.Contracts;
using WritePipeline.Partitioning;
using WritePipeline.Webhooks;
using WritePipeline.Writes;

namespace WritePipeline.Telemetry;

/// <summary>
/// The pipeline's own metrics (meter <c>WritePipeline</c>), named after OpenTelemetry's conventions and exported at
/// <c>/metrics</c> (Prometheus text) on every host; docs/operations.md lists them with what to alert on. Counters are
/// per process: the API counts what it accepted and refused, workers what they applied.
/// </summary>
public sealed class PipelineMeter : IDisposable
{
    public const string Name = "WritePipeline";

    /// <summary>Outcomes of a webhook attempt: the delivery is done, another attempt follows, or it failed for good.</summary>
    public const string WebhookSucceeded = "succeeded", WebhookRetrying = "retrying", WebhookFailed = "failed";

    readonly Meter _meter;
    readonly Counter<long> _accepted;
    readonly Counter<long> _refused;
    readonly Counter<long> _applied;
    readonly Counter<long> _conflicted;
    readonly Counter<long> _failed;
    readonly Counter<long> _rejected;
    readonly Histogram<double> _duration;
    readonly Histogram<long> _batchSize;
    readonly Counter<long> _webhookAttempts;
    readonly Histogram<double> _webhookDuration;

    /// <param name="meters">The host's meter factory.</param>
    /// <param name="services">
    /// Where the gauges are read from: the partitions' backlog in hosts that talk to a broker, the partitions this
    /// process consumes and its delivery slots in workers, the waiting writes and sagas wherever there is a database.
    /// </param>
    public PipelineMeter(IMeterFactory meters, IServiceProvider services)
    {
        var backlog = services.GetService(typeof(PartitionBacklog)) as PartitionBacklog;
        var consumers = services.GetService(typeof(PartitionConsumerStates)) as PartitionConsumerStates;
        var worker = services.GetService(typeof(WorkerIdentity)) as WorkerIdentity;
        var gauges = services.GetService(typeof(PipelineGauges)) as PipelineGauges;
        var clock = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        var deliveries = services.GetService(typeof(WebhookDispatcher)) as WebhookDispatcher;
        _meter = meters.Create(Name);
        _accepted = _meter.CreateCounter<long>("writepipeline.writes.accepted", "{write}", "Writes answered 202 for the first time (replays not counted).");
        _refused = _meter.CreateCounter<long>("writepipeline.requests.refused", "{request}", "Requests answered 429 or 503, by status and problem type; nothing was accepted or changed.");
        _applied = _meter.CreateCounter<long>("writepipeline.writes.applied", "{write}", "Writes applied by this worker: in their turn, by a decision, or released from behind a conflict.");
        _conflicted = _meter.CreateCounter<long>("writepipeline.writes.conflicted", "{write}", "Writes that conflicted when this worker applied them.");
        _rejected = _meter.CreateCounter<long>("writepipeline.writes.rejected", "{write}", "Writes recorded but never accepted (no 202): the broker refused or did not confirm them (API), or their message never reached the partition (workers), by reason.");
        _failed = _meter.CreateCounter<long>("writepipeline.writes.failed", "{write}", "Writes that ended failed when this worker applied them.");
        _duration = _meter.CreateHistogram<double>("writepipeline.write.duration", "s", "From a write's submission to its being applied, for writes applied in their turn (not after a decision).");
        _batchSize = _meter.CreateHistogram<long>("writepipeline.apply.batch.size", "{message}", "Messages of one partition a worker took and applied together.");
        _meter.CreateObservableGauge(
            "writepipeline.partition.backlog",
            () => backlog?.LastReady() is { } ready ? ready.Select((r, p) => new Measurement<long>(r, new KeyValuePair<string, object?>("partition", p))) : [],
            "{message}",
            "Messages ready on each partition's queue, as the broker last said (read about once a second).");
        _webhookAttempts = _meter.CreateCounter<long>("writepipeline.webhook.attempts", "{attempt}", "Webhook delivery attempts this worker made, by outcome and by which attempt of its delivery it was.");
        _webhookDuration = _meter.CreateHistogram<double>("writepipeline.webhook.attempt.duration", "s", "How long a webhook attempt waited for its receiver, by outcome.");
        _meter.CreateObservableGauge<long>(
            "writepipeline.webhook.deliveries",
            () => deliveries?.Load() is { } load
                ? [new(load.Waiting, new KeyValuePair<string, object?>("state", "waiting")), new(load.Attempting, new KeyValuePair<string, object?>("state", "attempting"))]
                : [],
            "{delivery}",
            "Webhook deliveries this worker holds: waiting for a delivery slot, or being attempted.");

        if (consumers is not null && worker is not null)
        {
            _meter.CreateObservableGauge(
                "writepipeline.partition.owned",
                () => consumers.Owned.Select(p => new Measurement<int>(1, new KeyValuePair<string, object?>("partition", p), new KeyValuePair<string, object?>("worker", worker.Id))),
                "{partition}",
                "1 for each partition this worker holds the lease of (and consumes, or is subscribing to).");
        }

        if (consumers is not null)
        {
            // Looked up when observed: the consumers apply writes, and what applies writes counts them here.
            _meter.CreateObservableGauge(
                "writepipeline.partition.unacknowledged",
                () => services.GetService(typeof(RabbitMqPartitionConsumers)) is RabbitMqPartitionConsumers rabbit
                    ? rabbit.Unacknowledged().Select(u => new Measurement<long>(u.Count, new KeyValuePair<string, object?>("partition", u.Partition)))
                    : [],
                "{message}",
                "Messages of each partition this worker consumes that the broker delivered and the worker has not acknowledged yet (at most Worker:PrefetchCount); with the broker's ready count, the partition's backlog.");
        }

        if (gauges is not null)
        {
            _meter.CreateObservableGauge(
                "writepipeline.writes.waiting",
                () => gauges.Last() is { } last ? last.Waiting.Select(w => new Measurement<long>(w.Value, new KeyValuePair<string, object?>("status", w.Key))) : [],
                "{write}",
                "Writes held behind a conflict, notified (the submitter decides), parked (an operator decides) and failed, in the whole pipeline.");
            _meter.CreateObservableGauge(
                "writepipeline.writes.oldest_waiting.age",
                () => gauges.Last() is { } last
                    ? [new Measurement<double>(last.OldestWaiting is { } at ? Math.Max(0, (clock.GetUtcNow() - at).TotalSeconds) : 0)]
                    : Array.Empty<Measurement<double>>(),
                "s",
                "Since the submission of the oldest write waiting for a person (notified, parked or failed); 0 when none waits.");
            _meter.CreateObservableGauge(
                "writepipeline.conflict.sagas",
                () => gauges.Last() is { } last ? last.Sagas.Select(s => new Measurement<long>(s.Value, new KeyValuePair<string, object?>("state", s.Key))) : [],
                "{saga}",
                "Conflict sagas by state, in the whole pipeline.");
        }
    }

    public void Accepted(string collection, string operation) => _accepted.Add(1, Tags(collection, operation));

    /// <summary>A write recorded but never accepted: <paramref name="reason"/> <c>broker_unavailable</c> (the API) or <c>unconfirmed</c> (a worker's check).</summary>
    public void Rejected(string collection, string operation, string reason)
    {
        var tags = Tags(collection, operation);
        tags.Add("reason", reason);
        _rejected.Add(1, tags);
    }

    public void Refused(int status, string problemType) =>
        _refused.Add(1, new KeyValuePair<string, object?>("http.response.status_code", status), new KeyValuePair<string, object?>("problem", problemType));

    public void Batch(int size) => _batchSize.Record(size);

    /// <summary>Counts a webhook attempt: its <paramref name="outcome"/> (<see cref="WebhookSucceeded"/>, ...) and its number, the fourth and later together.</summary>
    public void WebhookAttempt(int number, string outcome, int milliseconds)
    {
        var tags = new TagList { { "outcome", outcome }, { "attempt", number >= 4 ? "4+" : number.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        _webhookAttempts.Add(1, tags);
        _webhookDuration.Record(milliseconds / 1000.0, new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <summary>
    /// Counts what a partition step did to a write; the time since its submission only for a write applied in its
    /// turn (<paramref name="inTurn"/>): one that waited for a person's decision would measure the person.
    /// </summary>
    public void Outcome(ApplyResult result, DateTimeOffset now, bool inTurn = true)
    {
        if (result.Write is not { } write)
        {
            return;
        }

        var tags = Tags(write.Collection, write.Operation);
        switch (result.Outcome)
        {
            case ApplyOutcome.Applied:
                _applied.Add(1, tags);
                if (inTurn)
                {
                    _duration.Record(Math.Max(0, (now - write.SubmittedAt).TotalSeconds), tags);
                }

                break;
            case ApplyOutcome.Conflicted:
                _conflicted.Add(1, tags);
                break;
            case ApplyOutcome.Failed:
                _failed.Add(1, tags);
                break;
        }
    }

    public void Dispose() => _meter.Dispose();

    static TagList Tags(string collection, string operation) => new()
    {
        { "collection", collection },
        { "operation", operation },
    };
}
