using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using WritePipeline.Problems;

namespace WritePipeline.Json;

/// <summary>
/// Holds every JSON request body (<c>application/json</c>, <c>*+json</c>) to <see cref="JsonInput"/>'s rules and
/// <see cref="ApiOptions.MaxBodyBytes"/> before any endpoint sees it: 413 <c>payload-too-large</c> or 400
/// <c>malformed-json</c>, the same in every environment. A body that passes is kept, parsed
/// (<see cref="TryGet"/>), and given to model binding again as it came.
/// </summary>
public sealed class JsonBodies(RequestDelegate next, IOptions<ApiOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HasJsonBody(request))
        {
            await next(context);
            return;
        }

        var limit = options.Value.MaxBodyBytes;
        if (request.ContentLength > limit)
        {
            await ProblemCatalog.PayloadTooLarge(limit).WriteAsync(context);
            return;
        }

        var buffer = new MemoryStream();
        // Pooled: a fresh 16 kB chunk per request was the largest allocation of a submission.
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    await ProblemCatalog.PayloadTooLarge(limit).WriteAsync(context);
                    return;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        var (node, refusal) = JsonInput.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        if (refusal is not null)
        {
            await ProblemCatalog.MalformedJson(refusal).WriteAsync(context);
            return;
        }

        context.Features.Set(new Parsed(node));
        buffer.Position = 0;
        request.Body = buffer;
        context.Response.RegisterForDispose(buffer);
        await next(context);
    }

    /// <summary>The request's JSON body, checked and parsed (null for the JSON literal <c>null</c>); false when the request has none.</summary>
    public static bool TryGet(HttpContext context, out JsonNode? body)
    {
        body = context.Features.Get<Parsed>()?.Node;
        return context.Features.Get<Parsed>() is not null;
    }

    static bool HasJsonBody(HttpRequest request) =>
        (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        && MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
        && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    sealed record Parsed(JsonNode? Node);
}
