using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using WritePipeline.Operators;

namespace WritePipeline.Audit;

/// <summary>What listing and exporting the audit log both bind: the filter's query parameters, the log, the request.</summary>
public readonly record struct AuditQuery(
    [FromQuery(Name = "actor")] string? Actor,
    [FromQuery(Name = "action")] string? Action,
    [FromQuery(Name = "writeId")] Guid? WriteId,
    [FromQuery(Name = "since")] DateTimeOffset? Since,
    [FromQuery(Name = "until")] DateTimeOffset? Until,
    AuditLog Log,
    HttpContext Http)
{
    public AuditFilter Filter => new() { Actor = Actor, Action = Action, WriteId = WriteId, Since = Since, Until = Until };
}

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

    static async Task<Ok<AuditPage>> List([AsParameters] AuditQuery query, int? page, int? pageSize) =>
        TypedResults.Ok(await query.Log.ListAsync(query.Filter with { Page = page ?? 1, PageSize = pageSize ?? 50 }, query.Http.RequestAborted));

    static async Task<EmptyHttpResult> Export([AsParameters] AuditQuery query)
    {
        var filter = query.Filter;
        await CsvDownloads.WriteAsync(query.Http, "audit", output => query.Log.ExportCsvAsync(filter, output, query.Http.RequestAborted));
        return TypedResults.Empty;
    }
}
