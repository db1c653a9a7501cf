using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using WritePipeline.Problems;

namespace WritePipeline.Clients;

/// <summary>
/// A token bucket per client (<see cref="ClientRateLimitOptions"/>), counted in this API process: a client over its
/// rate is refused at once, the others are not slowed down. With N API processes a client may send N times the rate.
/// </summary>
public sealed class ClientRateLimits : IDisposable
{
    readonly PartitionedRateLimiter<Guid>? _limiter;

    public ClientRateLimits(IOptions<WritePipelineOptions> options)
    {
        var limit = options.Value.Clients.RateLimit;
        Burst = limit.Burst;
        if (limit.PerSecond == 0)
        {
            return;
        }

        // Refilled ten times a second (or once per token below 10 a second), so a bucket never empties for a whole second.
        var (period, tokens) = limit.PerSecond >= 10
            ? (TimeSpan.FromMilliseconds(100), limit.PerSecond / 10)
            : (TimeSpan.FromSeconds(1.0 / limit.PerSecond), 1);
        _limiter = PartitionedRateLimiter.Create<Guid, Guid>(client => RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.Burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            AutoReplenishment = true,
            QueueLimit = 0,
        }));
        Period = period;
        TokensPerPeriod = tokens;
    }

    public int Burst { get; }

    TimeSpan Period { get; } = TimeSpan.FromSeconds(1);

    int TokensPerPeriod { get; } = 1;

    /// <summary>Takes one request from the client's bucket: whether it may go on, what is left, and when to come back if not.</summary>
    public (bool Allowed, long Remaining, int ResetSeconds) Take(Guid client)
    {
        if (_limiter is null)
        {
            return (true, Burst, 0);
        }

        using var lease = _limiter.AttemptAcquire(client);
        var remaining = _limiter.GetStatistics(client)?.CurrentAvailablePermits ?? 0;
        // Until the bucket is full again, and, when refused, until the next token.
        var refill = (double)(Burst - remaining) / TokensPerPeriod * Period.TotalSeconds;
        var reset = lease.IsAcquired
            ? (int)Math.Ceiling(refill)
            : (int)Math.Max(1, Math.Ceiling(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter.TotalSeconds : Period.TotalSeconds));
        return (lease.IsAcquired, remaining, reset);
    }

    public void Dispose() => _limiter?.Dispose();

    /// <summary>
    /// Counts every request an API key authenticated (operators are not limited) and answers 429 <c>too-many-requests</c>
    /// with Retry-After over the limit; every such answer carries RateLimit-Limit, -Remaining and -Reset (IETF draft).
    /// </summary>
    public sealed class Middleware(RequestDelegate next, ClientRateLimits limits, Telemetry.PipelineMeter meter)
    {
        public async Task InvokeAsync(HttpContext context)
        {
            if (context.User.FindFirstValue(ApiKeyAuthenticationHandler.ClientIdClaim) is not { } id || !Guid.TryParse(id, out var client))
            {
                await next(context);
                return;
            }

            var (allowed, remaining, reset) = limits.Take(client);
            var headers = context.Response.Headers;
            headers["RateLimit-Limit"] = limits.Burst.ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-Reset"] = reset.ToString(CultureInfo.InvariantCulture);
            if (allowed)
            {
                await next(context);
                return;
            }

            headers.RetryAfter = reset.ToString(CultureInfo.InvariantCulture);
            meter.Refused("rate_limited");
            await ProblemCatalog.TooManyRequests(reset).ExecuteAsync(context);
        }
    }
}
