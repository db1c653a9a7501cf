using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenTelemetry.Trace;
using WritePipeline.Telemetry;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Telemetry;

/// <summary>
/// One write, one trace: over real HTTP, RabbitMQ and PostgreSQL, the spans the app records (kept by an in-memory
/// exporter added to its own tracer) of a write that conflicts and is notified by webhook form one tree, from the
/// request's server span through the send, the apply and the conflict saga to the webhook delivery, and the receiver
/// is handed the same trace. Another write is a trace of its own.
/// </summary>
public sealed class TraceTests
{
    const string AspNetCore = "Microsoft.AspNetCore";
    const string HttpClientSource = "System.Net.Http";

    [Fact]
    public async Task A_conflicted_writes_request_send_apply_and_webhook_delivery_are_one_trace()
    {
        var spans = new SpanLog();
        await using var app = await PipelineApp.StartAsync(PipelineSetup.RabbitMqPostgres with
        {
            ServesHttp = true,
            Overrides = new Dictionary<string, string?>(WebhooksFixture.Settings(TimeSpan.FromMinutes(5))) { [TelemetryRegistration.TracesKey] = "true" },
            TestServices = services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)),
        });
        await app.UntilReadyAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, http) = await app.CreateClientAsync();
        var url = receiver.NewEndpoint(out var endpoint);
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/v1/webhooks", new { url, events = new[] { "write.conflicted" } })).StatusCode);

        // One write applied, then one whose If-Match is stale: it conflicts, and its submitter is notified.
        var key = TestKeys.New("t");
        var applied = await http.PutAsync("customers", key, new JsonObject { ["v"] = 1 }).AcceptedAsync();
        await http.UntilStatusAsync(applied, "applied");
        var conflicted = await http.PutAsync("customers", key, new JsonObject { ["v"] = 2 }, Api.IfMatch(7)).AcceptedAsync();
        await http.UntilStatusAsync(conflicted, "notified");
        await Eventually.UntilAsync(() => Task.FromResult(receiver.For(endpoint).Count > 0), "the notification reaches the receiver");

        // The chain from the delivery up to the request: each span's parent recorded, every one in the write's trace.
        List<Activity> chain = [];
        await Eventually.UntilAsync(
            () =>
            {
                var deliver = spans.Snapshot().FirstOrDefault(s => s.OperationName == "writepipeline.webhook.deliver" && Tag(s, PipelineTracing.WriteIdTag) == conflicted.ToString());
                chain = deliver is null ? [] : Ancestry(spans.Snapshot(), deliver);
                return Task.FromResult(chain.Any(s => s.Source.Name == AspNetCore && s.Kind == ActivityKind.Server));
            },
            "the delivery's span and every span up to the request's are recorded");

        var trace = chain[0].TraceId;
        Assert.All(chain, span => Assert.Equal(trace, span.TraceId));
        // From the request down: server span, send, apply, MassTransit's send and consume (the saga), the delivery.
        var server = chain.FindIndex(s => s.Source.Name == AspNetCore && s.Kind == ActivityKind.Server);
        var send = chain.FindIndex(s => s.OperationName == "writepipeline.send");
        var apply = chain.FindIndex(s => s.OperationName == "writepipeline.apply");
        var saga = chain.FindIndex(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer);
        Assert.True(server > send && send > apply && apply > saga && saga > 0, "ancestry, delivery first: " + string.Join(" < ", chain.Select(s => $"{s.Source.Name}:{s.OperationName}")));
        Assert.Equal(send + 1, server);
        Assert.Equal(apply + 1, send);
        Assert.Equal(conflicted.ToString(), Tag(chain[send], PipelineTracing.WriteIdTag));
        Assert.Equal("writes-p" + Tag(chain[send], PipelineTracing.PartitionTag), Tag(chain[send], "messaging.destination.name"));
        Assert.Equal("rabbitmq", Tag(chain[send], "messaging.system"));
        Assert.Equal(ActivityKind.Producer, chain[send].Kind);
        Assert.Equal(conflicted.ToString(), Tag(chain[apply], PipelineTracing.WriteIdTag));
        Assert.Equal("Conflicted", Tag(chain[apply], PipelineTracing.OutcomeTag));
        Assert.Equal("replace", Tag(chain[apply], PipelineTracing.OperationTag));

        // The batch the write was applied in links to the message's context.
        Assert.Contains(spans.Snapshot(), s => s.OperationName == "writepipeline.apply.batch" && s.Links.Any(l => l.Context.SpanId == chain[send].SpanId));

        // The webhook request: HttpClient's span under the delivery's, and the receiver got that span as its parent.
        var deliverSpan = chain[0];
        var request = spans.Snapshot().Single(s => s.Source.Name == HttpClientSource && s.ParentSpanId == deliverSpan.SpanId);
        Assert.Equal(trace, request.TraceId);
        var traceparent = receiver.For(endpoint)[0].TraceParent;
        Assert.Equal($"00-{trace.ToHexString()}-{request.SpanId.ToHexString()}-01", traceparent);

        // The other write is a trace of its own.
        var otherSend = spans.Snapshot().Single(s => s.OperationName == "writepipeline.send" && Tag(s, PipelineTracing.WriteIdTag) == applied.ToString());
        Assert.NotEqual(trace, otherSend.TraceId);
        Assert.Contains(spans.Snapshot(), s => s.OperationName == "writepipeline.apply" && s.TraceId == otherSend.TraceId && s.ParentSpanId == otherSend.SpanId);
    }

    static string? Tag(Activity span, string name) => span.GetTagItem(name)?.ToString();

    /// <summary><paramref name="span"/>, its parent, its parent's parent... as far as they are recorded.</summary>
    static List<Activity> Ancestry(IReadOnlyList<Activity> spans, Activity span)
    {
        var bySpanId = spans.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        var chain = new List<Activity> { span };
        while (chain[^1].ParentSpanId != default && bySpanId.TryGetValue(chain[^1].ParentSpanId, out var parent) && chain.Count < 100)
        {
            chain.Add(parent);
        }

        return chain;
    }

    /// <summary>What the exporter hands over, safe to read while it adds more.</summary>
    sealed class SpanLog : Collection<Activity>
    {
        readonly Lock _lock = new();

        public IReadOnlyList<Activity> Snapshot()
        {
            lock (_lock)
            {
                return [.. Items];
            }
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (_lock)
            {
                base.InsertItem(index, item);
            }
        }
    }
}
