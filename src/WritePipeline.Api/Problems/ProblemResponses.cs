using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace WritePipeline.Problems;

/// <summary>
/// What the OpenAPI document says beyond the endpoints' own declarations: what the API is and whom to ask, and, on every
/// problem response, the problem types (<see cref="ProblemCatalog.AllKinds"/>) that status is answered with.
/// </summary>
public static class ProblemResponses
{
    public const string ContactUrl = "https://writepipeline.dev";

    public static OpenApiOptions DescribeWritePipeline(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "WritePipeline API";
            document.Info.Description =
                "Queue-based writes of JSON records, keyed by collection and key. A submission is answered 202 once its write is safely "
                + "queued; writes to one record are applied in order, exactly once; a write that conflicts (a stale If-Match, a unique "
                + "value taken, a missing reference) waits for its submitter's decision or an operator's. Every error is an RFC 9457 "
                + "problem whose type names its kind (" + ProblemCatalog.TypeBase + "<kind>). The /v1/admin endpoints are for operators "
                + "(admin API tokens); the others for clients (API keys).";
            document.Info.Contact = new OpenApiContact { Name = "WritePipeline maintainers", Url = new Uri(ContactUrl) };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, _, _) =>
        {
            foreach (var (code, response) in operation.Responses ?? [])
            {
                if (int.TryParse(code, out var status) && status >= 400 && response is OpenApiResponse problem)
                {
                    problem.Description = Describe(status);
                }
            }

            return Task.CompletedTask;
        });
        return options;
    }

    /// <summary>The problem types a status is answered with (those of any other 4xx last), for the response's description.</summary>
    public static string Describe(int status)
    {
        var kinds = ProblemCatalog.AllKinds.Where(k => k.Status == status)
            .Concat(ProblemCatalog.AllKinds.Where(k => k.Status == 0 && status is >= 400 and < 500))
            .Select(k => $"{k.Name} ({k.Title})")
            .ToList();
        var conflicts = status is 409 or 412 or 422 ? " With Prefer: wait, also the write's conflict or failure type (docs/api.md)." : string.Empty;
        return $"A problem (application/problem+json) of type {ProblemCatalog.TypeBase}<kind>, kind one of: {string.Join("; ", kinds)}.{conflicts}";
    }
}
