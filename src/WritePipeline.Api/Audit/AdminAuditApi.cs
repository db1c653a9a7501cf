using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using WritePipeline.Operators;

namespace WritePipeline.Audit;

/// <summary>The audit log for scripts: filtered pages, and the same filter as a CSV export.</summary>
public static class AdminAuditApi
{
    public static IEndpointRouteBuilder MapAdminAuditApi(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/v1/admin/audit")
            .WithTags("Admin")
            .RequireAuthorization(OperatorPolicies.View)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        audit.MapGet("", List).WithName("AdminListAudit")
            .WithDescription("The operators' audit log, newest first: who did what to which write or account, the outcome, the reason, and the state before and after; filtered by actor, action (or a prefix such as write.), write and time, paged. Viewer role or above.").WithSummary("Operator actions, newest first, filtered by actor, action (or prefix such as 'write.'), write and time");
        audit.MapGet("/export", Export).WithName("AdminExportAudit")
            .WithDescription("The filtered audit log as CSV, capped at 100,000 rows (cells that a spreadsheet would run as formulas are made harmless). Viewer role or above.").WithSummary("The filtered audit log as CSV")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        return app;
    }

    static async Task<Ok<AuditPage>> List(
        string? actor, string? action, Guid? writeId, DateTimeOffset? since, DateTimeOffset? until, int? page, int? pageSize, AuditLog log, HttpContext http) =>
        TypedResults.Ok(await log.ListAsync(
            new AuditFilter { Actor = actor, Action = action, WriteId = writeId, Since = since, Until = until, Page = page ?? 1, PageSize = pageSize ?? 50 },
            http.RequestAborted));

    static async Task<EmptyHttpResult> Export(string? actor, string? action, Guid? writeId, DateTimeOffset? since, DateTimeOffset? until, AuditLog log, HttpContext http)
    {
        var filter = new AuditFilter { Actor = actor, Action = action, WriteId = writeId, Since = since, Until = until };
        await Csv.DownloadAsync(http, "audit", output => log.ExportCsvAsync(filter, output, http.RequestAborted));
        return TypedResults.Empty;
    }
}
