using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using WritePipeline.Problems;

namespace WritePipeline.Clients;

/// <summary>
/// A token bucket per client, at the client's own rate or <c>Clients:RateLimit</c> (<see cref="ClientRate"/>), counted
/// in this API process: a client over its rate is refused at once, the others are not slowed down. With N API
/// processes a client may send N times the rate. A changed rate starts a new, full bucket.
/// </summary>
public sealed class ClientRateLimits : IDisposable
{
    readonly PartitionedRateLimiter<(Guid Client, ClientRate Rate)> _limiter = PartitionedRateLimiter.Create<(Guid Client, ClientRate Rate), (Guid, ClientRate)>(
        key => RateLimitPartition.GetTokenBucketLimiter(key, k => Bucket(k.Item2)));

    /// <summary>Takes one request from the client's bucket: whether it may go on, what is left, and when to come back if not.</summary>
    public (bool Allowed, long Remaining, int ResetSeconds) Take(Guid client, ClientRate rate)
    {
        if (rate.PerSecond == 0)
        {
            return (true, rate.Burst, 0);
        }

        using var lease = _limiter.AttemptAcquire((client, rate));
        var remaining = _limiter.GetStatistics((client, rate))?.CurrentAvailablePermits ?? 0;
        var (period, tokens) = Refill(rate);
        // Until the bucket is full again, and, when refused, until the next token.
        var refill = (double)(rate.Burst - remaining) / tokens * period.TotalSeconds;
        var reset = lease.IsAcquired
            ? (int)Math.Ceiling(refill)
            : (int)Math.Max(1, Math.Ceiling(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter.TotalSeconds : period.TotalSeconds));
        return (lease.IsAcquired, remaining, reset);
    }

    static TokenBucketRateLimiterOptions Bucket(ClientRate rate)
    {
        var (period, tokens) = Refill(rate);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = rate.Burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            AutoReplenishment = true,
            QueueLimit = 0,
        };
    }

    // Refilled ten times a second (or once per token below 10 a second), so a bucket never empties for a whole second.
    static (TimeSpan Period, int Tokens) Refill(ClientRate rate) => rate.PerSecond >= 10
        ? (TimeSpan.FromMilliseconds(100), rate.PerSecond / 10)
        : (TimeSpan.FromSeconds(1.0 / rate.PerSecond), 1);

    public void Dispose() => _limiter.Dispose();

    /// <summary>
    /// Counts every request an API key authenticated (operators are not limited) and answers 429 <c>too-many-requests</c>
    /// with Retry-After over the limit; every such answer carries RateLimit-Limit, -Remaining and -Reset (IETF draft).
    /// </summary>
    public sealed class Middleware(RequestDelegate next, ClientRateLimits limits)
    {
        public async Task InvokeAsync(HttpContext context)
        {
            if (context.User.FindFirstValue(ApiKeyAuthenticationHandler.ClientIdClaim) is not { } id || !Guid.TryParse(id, out var client))
            {
                await next(context);
                return;
            }

            var rate = ApiKeyAuthenticationHandler.RateOf(context.User);
            var (allowed, remaining, reset) = limits.Take(client, rate);
            var headers = context.Response.Headers;
            headers["RateLimit-Limit"] = rate.Burst.ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-Reset"] = reset.ToString(CultureInfo.InvariantCulture);
            if (allowed)
            {
                await next(context);
                return;
            }

            headers.RetryAfter = reset.ToString(CultureInfo.InvariantCulture);
            await ClientProblems.TooManyRequests(reset).WriteAsync(context);
        }
    }
}
