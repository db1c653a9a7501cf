using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WritePipeline.Telemetry;

/// <summary>
/// The pipeline's own metrics (meter <c>WritePipeline</c>), named after OpenTelemetry's conventions and exported at
/// <c>/metrics</c> (Prometheus text) on every host; docs/operations.md lists them with what to alert on. Counters are
/// per process: the API counts what it accepted and refused, workers what they applied. Gauges belong to the
/// features that know their figures (<see cref="IPipelineGauges"/>).
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
    /// <param name="gauges">The features' gauges (<see cref="IPipelineGauges"/>), created on this meter.</param>
    public PipelineMeter(IMeterFactory meters, IEnumerable<IPipelineGauges> gauges)
    {
        _meter = meters.Create(Name);
        _accepted = _meter.CreateCounter<long>("writepipeline.writes.accepted", "{write}", "Writes answered 202 for the first time (replays not counted).");
        _refused = _meter.CreateCounter<long>("writepipeline.requests.refused", "{request}", "Requests answered 429 or 503, by status and problem type; nothing was accepted or changed.");
        _applied = _meter.CreateCounter<long>("writepipeline.writes.applied", "{write}", "Writes applied by this worker: in their turn, by a decision, or released from behind a conflict.");
        _conflicted = _meter.CreateCounter<long>("writepipeline.writes.conflicted", "{write}", "Writes that conflicted when this worker applied them.");
        _rejected = _meter.CreateCounter<long>("writepipeline.writes.rejected", "{write}", "Writes recorded but never accepted (no 202): the broker refused or did not confirm them (API), or their message never reached the partition (workers), by reason.");
        _failed = _meter.CreateCounter<long>("writepipeline.writes.failed", "{write}", "Writes that ended failed when this worker applied them.");
        _duration = _meter.CreateHistogram<double>("writepipeline.write.duration", "s", "From a write's submission to its being applied, for writes applied in their turn (not after a decision).");
        _batchSize = _meter.CreateHistogram<long>("writepipeline.apply.batch.size", "{message}", "Messages of one partition a worker took and applied together.");
        _webhookAttempts = _meter.CreateCounter<long>("writepipeline.webhook.attempts", "{attempt}", "Webhook delivery attempts this worker made, by outcome and by which attempt of its delivery it was.");
        _webhookDuration = _meter.CreateHistogram<double>("writepipeline.webhook.attempt.duration", "s", "How long a webhook attempt waited for its receiver, by outcome.");
        foreach (var feature in gauges)
        {
            feature.Create(_meter);
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

    /// <summary>A write applied; <paramref name="sinceSubmission"/> only for one applied in its turn (one that waited for a decision would measure the person).</summary>
    public void Applied(string collection, string operation, TimeSpan? sinceSubmission)
    {
        var tags = Tags(collection, operation);
        _applied.Add(1, tags);
        if (sinceSubmission is { } duration)
        {
            _duration.Record(Math.Max(0, duration.TotalSeconds), tags);
        }
    }

    public void Conflicted(string collection, string operation) => _conflicted.Add(1, Tags(collection, operation));

    public void Failed(string collection, string operation) => _failed.Add(1, Tags(collection, operation));

    public void Dispose() => _meter.Dispose();

    static TagList Tags(string collection, string operation) => new()
    {
        { "collection", collection },
        { "operation", operation },
    };
}
