using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using WritePipeline.Problems;

namespace WritePipeline.Json;

/// <summary>
/// A request the framework could not bind (a body of the wrong shape, a parameter that does not parse) is the client's
/// mistake: the same 4xx problem in every environment, saying what could not be read, never a 500. Route handlers
/// throw for these everywhere (<c>RouteHandlerOptions.ThrowOnBadRequest</c>), so they all pass here.
/// </summary>
public sealed class BadRequests : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted)
        {
            return false;
        }

        var problem = bad.InnerException is JsonException json
            ? ProblemCatalog.InvalidDocument($"{bad.Message} {json.Message}")
            : ProblemCatalog.Unreadable(bad.StatusCode, bad.Message);
        await problem.WriteAsync(httpContext);
        return true;
    }
}
