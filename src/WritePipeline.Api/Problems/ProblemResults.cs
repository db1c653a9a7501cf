using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace WritePipeline.Problems;

/// <summary>
/// How the API writes a problem: as an RFC 9457 problem with the type, title and status of its kind, its detail and its
/// extension members. Every problem an endpoint or the framework writes also passes <see cref="Customize"/>.
/// </summary>
public static class ProblemResults
{
    /// <summary>The answer for <paramref name="problem"/>.</summary>
    public static ProblemHttpResult ToResult(this Problem problem) =>
        TypedResults.Problem(detail: problem.Detail, statusCode: problem.Kind.Status, title: problem.Kind.Title, type: problem.Kind.Type, extensions: problem.Extensions);

    /// <summary>Writes <paramref name="problem"/> as the response, where no endpoint answers (middleware, authentication).</summary>
    public static Task WriteAsync(this Problem problem, HttpContext context) => problem.ToResult().ExecuteAsync(context);

    /// <summary>
    /// Gives the problems the framework writes itself a type of the catalog too (<see cref="ProblemCatalog.FrameworkKind"/>),
    /// and counts every refusal by its type (<c>writepipeline.requests.refused</c>).
    /// </summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Type is null || !problem.Type.StartsWith(ProblemCatalog.TypeBase, StringComparison.Ordinal))
        {
            Classify(problem);
        }

        if (ProblemCatalog.IsRefusal(problem.Status))
        {
            context.HttpContext.RequestServices?.GetService<Telemetry.PipelineMeter>()?.Refused(problem.Status!.Value, problem.Type![ProblemCatalog.TypeBase.Length..]);
        }
    }

    static void Classify(ProblemDetails problem)
    {
        var kind = ProblemCatalog.FrameworkKind(problem.Status);
        (problem.Type, problem.Title) = (kind.Type, kind.Title);
        if (problem.Status == StatusCodes.Status415UnsupportedMediaType)
        {
            problem.Detail ??= ProblemCatalog.FrameworkUnsupportedMediaTypeDetail;
        }
    }
}
