using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using WritePipeline.Writes;

namespace WritePipeline.Problems;

/// <summary>
/// Any request that fails because the database cannot be reached (connection refused or lost, timeout, the server
/// shutting down), wherever it fails (the API key lookup, a status read, a decision), answers 503
/// <c>database-unavailable</c> with <c>Retry-After</c>: the client is told to come back, not that it met a bug.
/// </summary>
public sealed class DatabaseUnavailableHandler(IOptions<ApiOptions> options, ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // A request that could not be read is an IOException too, and the client's mistake (Json.BadRequests).
        if (exception is BadHttpRequestException || TransientFailures.Classify(exception) != FailureKind.Transient || httpContext.Response.HasStarted)
        {
            return false;
        }

        // One line per request, without the stack: an outage answers many requests, and the cause is the same.
        logger.LogWarning("{Method} {Path} answered 503: the database could not be reached ({Reason})", httpContext.Request.Method, httpContext.Request.Path, exception.GetBaseException().Message);
        httpContext.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        await ProblemCatalog.DatabaseUnavailable("The database could not be reached. Nothing was accepted or changed; retry the request (with the same Idempotency-Key for a write).")
            .WriteAsync(httpContext);
        return true;
    }
}
