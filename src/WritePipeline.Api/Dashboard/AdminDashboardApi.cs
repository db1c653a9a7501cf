using Microsoft.AspNetCore.Http.HttpResults;
using WritePipeline.Operators;
using WritePipeline.Problems;

namespace WritePipeline.Dashboard;

/// <summary>The figures of the operators' dashboard, for the console and for scripts.</summary>
public static class AdminDashboardApi
{
    public static IEndpointRouteBuilder MapAdminDashboardApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/admin/dashboard", Read).RequireAuthorization(OperatorPolicies.View)
            .WithTags("Admin")
            .WithName("AdminDashboard")
            .WithDescription("The operators' dashboard over the last minutes (5 to 1440): writes accepted, applied and conflicted per minute, the conflict rate, writes waiting for a person and the oldest's age, held and failed writes, and each queue's depth as the broker says. Viewer role or above.")
            .WithSummary("Writes accepted, applied and conflicted per minute, writes waiting for a person, queue depths")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    static async Task<Results<Ok<DashboardSnapshot>, ProblemHttpResult>> Read(int? minutes, PipelineMetrics metrics, HttpContext http)
    {
        var window = minutes ?? PipelineMetrics.DefaultMinutes;
        if (window is < PipelineMetrics.MinMinutes or > PipelineMetrics.MaxMinutes)
        {
            return ProblemCatalog.InvalidQuery($"minutes must be {PipelineMetrics.MinMinutes} to {PipelineMetrics.MaxMinutes}.").ToResult();
        }

        return TypedResults.Ok(await metrics.ReadAsync(window, http.RequestAborted));
    }
}
