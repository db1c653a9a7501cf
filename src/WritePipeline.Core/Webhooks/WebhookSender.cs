using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WritePipeline.Data;
using WritePipeline.Telemetry;

namespace WritePipeline.Webhooks;

/// <summary>
/// Makes one attempt at a webhook delivery and decides what follows: done, another attempt later (the retry
/// schedule, or the receiver's Retry-After), or failed for good. Every attempt is logged and counted. Runs in a
/// delivery slot (<see cref="WebhookDispatcher"/>), never in a partition nor on a timer thread: a slow or dead receiver
/// holds up only its own client's deliveries. When tracing, an attempt runs under its delivery span (started by the
/// dispatcher, in the trace its timer carried), and the request carries its trace context.
/// </summary>
public sealed class WebhookSender(
    WritePipelineDbContext db,
    IHttpClientFactory httpClients,
    WebhookTimers timers,
    IEnumerable<IFailedDeliveryHandler> failureHandlers,
    TimeProvider clock,
    PipelineMeter meter,
    IOptions<WebhookOptions> options,
    ILogger<WebhookSender> logger)
{
    public const string HttpClientName = "webhooks";

    /// <summary>Attempts the delivery if it is still pending.</summary>
    public async Task AttemptAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == deliveryId, cancellationToken);
        if (delivery is not { Status: WebhookDeliveryStatus.Pending })
        {
            return;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["DeliveryId"] = deliveryId, ["WriteId"] = delivery.WriteId, ["EventType"] = delivery.EventType });
        PipelineTracing.TagWebhookDelivery(delivery.WriteId, delivery.EventType, delivery.Attempts + 1);
        var settings = options.Value;
        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == delivery.EndpointId, cancellationToken);
        if (endpoint is not { Enabled: true })
        {
            await FailAsync(delivery, endpoint is null ? "The endpoint was deleted." : "The endpoint is disabled.", cancellationToken);
            return;
        }

        var attempt = await SendAsync(delivery, endpoint, cancellationToken);
        var now = clock.GetUtcNow();
        db.WebhookAttempts.Add(attempt);
        delivery.Attempts = attempt.Number;
        delivery.LastStatusCode = attempt.StatusCode;

        if (attempt.StatusCode is >= 200 and < 300)
        {
            delivery.Status = WebhookDeliveryStatus.Succeeded;
            delivery.NextAttemptAt = null;
            delivery.CompletedAt = now;
            endpoint.FailureStreak = 0;
            endpoint.FailingSince = null;
            await db.SaveChangesAsync(cancellationToken);
            meter.WebhookAttempt(attempt.Number, PipelineMeter.WebhookSucceeded, attempt.LatencyMilliseconds);
            return;
        }

        endpoint.FailureStreak++;
        endpoint.FailingSince ??= now;
        string? failure = null;
        if (attempt.StatusCode == (int)HttpStatusCode.Gone)
        {
            Disable(endpoint, "The receiver answered 410 Gone.");
            failure = "The receiver answered 410 Gone; the endpoint is disabled.";
        }
        else if (now - endpoint.FailingSince >= settings.DisableAfterFailingFor)
        {
            Disable(endpoint, $"Every delivery failed for {settings.DisableAfterFailingFor.TotalDays:0.#} days.");
            failure = "The endpoint has been failing for too long and is disabled.";
        }
        else if (attempt.Number > settings.Retries.Count)
        {
            failure = $"All {attempt.Number} attempts failed.";
        }

        if (failure is not null)
        {
            await FailAsync(delivery, failure, cancellationToken);
            meter.WebhookAttempt(attempt.Number, PipelineMeter.WebhookFailed, attempt.LatencyMilliseconds);
            return;
        }

        delivery.NextAttemptAt = now + attempt.RetryAfter(settings) ?? now + Jittered(settings.Retries[attempt.Number - 1], settings.Jitter);
        await db.SaveChangesAsync(cancellationToken);
        await timers.SetAsync([delivery], cancellationToken);
        meter.WebhookAttempt(attempt.Number, PipelineMeter.WebhookRetrying, attempt.LatencyMilliseconds);
        logger.LogInformation("Webhook attempt {Attempt} failed ({StatusCode}); next attempt at {NextAttemptAt}", attempt.Number, attempt.StatusCode, delivery.NextAttemptAt);
    }

    async Task<WebhookAttempt> SendAsync(WebhookDelivery delivery, WebhookEndpoint endpoint, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.Add("webhook-id", delivery.WebhookId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignatures.Header(endpoint, delivery.WebhookId, timestamp, delivery.Payload, now));

        var attempt = new WebhookAttempt { DeliveryId = delivery.Id, Number = delivery.Attempts + 1, AttemptedAt = now };
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.Timeout);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            attempt.StatusCode = (int)response.StatusCode;
            attempt.RetryAfterHeader = response.Headers.RetryAfter;
            attempt.ResponseExcerpt = await ExcerptAsync(response, settings.ResponseExcerptLength, timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            attempt.Error = ex is OperationCanceledException ? $"No response within {settings.Timeout.TotalSeconds:0.#} s." : Bounded(ex.Message, 1000);
        }

        attempt.LatencyMilliseconds = (int)stopwatch.ElapsedMilliseconds;
        return attempt;
    }

    async Task FailAsync(WebhookDelivery delivery, string reason, CancellationToken cancellationToken)
    {
        delivery.Status = WebhookDeliveryStatus.Failed;
        delivery.NextAttemptAt = null;
        delivery.CompletedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        logger.LogWarning("Webhook delivery failed: {Reason}", reason);

        foreach (var handler in failureHandlers)
        {
            await handler.DeliveryFailedAsync(delivery, reason, cancellationToken);
        }
    }

    static void Disable(WebhookEndpoint endpoint, string reason)
    {
        endpoint.Enabled = false;
        endpoint.DisabledReason = reason;
    }

    static TimeSpan Jittered(TimeSpan wait, double jitter) =>
        wait * (1 + (jitter * ((Random.Shared.NextDouble() * 2) - 1)));

    static async Task<string?> ExcerptAsync(HttpResponseMessage response, int length, CancellationToken cancellationToken)
    {
        if (length == 0)
        {
            return null;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[length];
        var read = 0;
        while (read < length && await stream.ReadAsync(buffer.AsMemory(read, length - read), cancellationToken) is var n and > 0)
        {
            read += n;
        }

        return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read);
    }

    static string Bounded(string text, int length) => text.Length <= length ? text : text[..length];
}
