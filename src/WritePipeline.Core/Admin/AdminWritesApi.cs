using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Conflicts;
using WritePipeline.Data;
using WritePipeline.Operators;
using WritePipeline.Problems;
using WritePipeline.Writes;

namespace WritePipeline.Admin;

/// <summary>The operators' API over writes waiting for a person: what the console shows and does, for scripts.</summary>
public static class AdminWritesApi
{
    public static IEndpointRouteBuilder MapAdminWritesApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v1/admin/writes")
            .WithTags("Admin")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        admin.MapGet("", List).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminListWaitingWrites")
            .WithSummary("Parked, notified and failed writes, filtered, oldest first, paged")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/groups", Groups).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminWaitingWriteGroups")
            .WithSummary("Waiting writes by collection and conflict kind: how many, since when");
        admin.MapGet("/{writeId}", Get).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminGetWrite")
            .WithSummary("Any client's write, with its conflict")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/{writeId}/resolution", Resolve).RequireAuthorization(OperatorPolicies.Act)
            .WithName("AdminResolveWrite")
            .WithSummary("Decide about a conflicted write, as an operator (same rules as the submitter's)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    static async Task<Results<Ok<ParkedWritePage>, ProblemHttpResult>> List(
        string? collection, string? key, string? kind, Guid? client, int? olderThanMinutes, string? q, int? page, int? pageSize,
        ParkedWrites writes, HttpContext http)
    {
        if (olderThanMinutes < 0 || page < 1 || pageSize is < 1 or > ParkedWrites.MaxPageSize)
        {
            return ProblemCatalog.InvalidQuery($"olderThanMinutes must be >= 0, page >= 1, pageSize 1 to {ParkedWrites.MaxPageSize}.");
        }

        var filter = new ParkedWriteFilter
        {
            Collection = collection,
            Key = key,
            Kind = kind,
            ClientId = client,
            OlderThan = olderThanMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null,
            Search = q,
            Page = page ?? 1,
            PageSize = pageSize ?? 50,
        };
        return TypedResults.Ok(await writes.ListAsync(filter, http.RequestAborted));
    }

    static async Task<Ok<IReadOnlyList<ParkedWriteGroup>>> Groups(ParkedWrites writes, HttpContext http) =>
        TypedResults.Ok(await writes.GroupsAsync(http.RequestAborted));

    static async Task<Results<Ok<WriteStatusView>, ProblemHttpResult>> Get(string writeId, WritePipelineDbContext db, HttpContext http) =>
        Guid.TryParse(writeId, out var id) && await WritesApi.ReadStatusAsync(db, id, null, http.RequestAborted) is { } status
            ? TypedResults.Ok(status)
            : ProblemCatalog.WriteNotFound(id);

    static async Task<Results<Accepted<WriteStatusView>, ProblemHttpResult>> Resolve(
        string writeId, ResolutionRequest request, WritePipelineDbContext db, Decisions decisions, HttpContext http)
    {
        var write = Guid.TryParse(writeId, out var id)
            ? await db.Writes.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id && w.Status != WriteStatus.Rejected, http.RequestAborted)
            : null;
        return write is null
            ? ProblemCatalog.WriteNotFound(id)
            : ResolutionsApi.Answer(await decisions.TakeAsync(write, request, http.User.Actor(), http.RequestAborted));
    }
}
