using System.Diagnostics;
using System.Text;
using WritePipeline.Telemetry;

namespace WritePipeline.UnitTests.Telemetry;

/// <summary>
/// The trace context a write carries: written into AMQP headers and read back as RabbitMQ.Client gives them (strings
/// as bytes), and through a timer's data; nothing is read while nobody traces.
/// </summary>
public sealed class TraceContextTests
{
    [Fact]
    public void A_context_survives_the_amqp_headers_and_a_timers_data()
    {
        using var listener = Listen(PipelineTracing.SourceName);
        using var sender = new Activity("sender").SetIdFormat(ActivityIdFormat.W3C).Start();
        sender.TraceStateString = "vendor=value";

        var headers = PipelineTracing.AmqpHeaders(sender)!;
        var received = headers.ToDictionary(h => h.Key, h => (object?)Encoding.UTF8.GetBytes((string)h.Value!));
        var fromBroker = PipelineTracing.FromAmqpHeaders(received);
        Assert.Equal(sender.TraceId, fromBroker.TraceId);
        Assert.Equal(sender.SpanId, fromBroker.SpanId);
        Assert.Equal("vendor=value", fromBroker.TraceState);
        Assert.True(fromBroker.IsRemote);

        var data = new Dictionary<string, string> { ["deliveryId"] = "d" };
        PipelineTracing.AddTo(sender, data);
        var fromTimer = PipelineTracing.FromTimerData(data.GetValueOrDefault);
        Assert.Equal(sender.TraceId, fromTimer.TraceId);
        Assert.Equal(sender.SpanId, fromTimer.SpanId);
    }

    [Fact]
    public void Without_a_context_nothing_is_carried()
    {
        using var listener = Listen(PipelineTracing.SourceName);
        Assert.Null(PipelineTracing.AmqpHeaders(null));
        Assert.Equal(default, PipelineTracing.FromAmqpHeaders(null));
        Assert.Equal(default, PipelineTracing.FromAmqpHeaders(new Dictionary<string, object?> { ["traceparent"] = "not a traceparent"u8.ToArray() }));
        Assert.Equal(default, PipelineTracing.FromTimerData(new Dictionary<string, string>().GetValueOrDefault));
    }

    static ActivityListener Listen(string source)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
