using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using WritePipeline.Audit;
using WritePipeline.Conflicts;
using WritePipeline.Data;
using WritePipeline.Operators;
using WritePipeline.Problems;
using WritePipeline.Writes;

namespace WritePipeline.Admin;

/// <summary>
/// The operators' API over writes waiting for a person, the archive, blocked keys and bulk actions: everything the
/// console shows and does, for scripts, through the same services.
/// </summary>
public static class AdminWritesApi
{
    public static IEndpointRouteBuilder MapAdminWritesApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v1/admin")
            .WithTags("Admin")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        admin.MapGet("/writes", List).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminListWaitingWrites")
            .WithSummary("Parked, notified and failed writes, filtered, oldest first, paged")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/writes/export", Export).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminExportWaitingWrites")
            .WithSummary("The same list, filtered the same way, as CSV (every page)")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/writes/groups", Groups).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminWaitingWriteGroups")
            .WithSummary("Waiting writes by collection and conflict kind: how many, since when");
        admin.MapGet("/writes/{writeId}", Get).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminGetWrite")
            .WithSummary("Any client's write, with its conflict")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapGet("/writes/{writeId}/details", Details).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminGetWriteDetails")
            .WithSummary("A write with the record now, the side-by-side difference, held writes, its timeline and the actions an operator can take")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/writes/{writeId}/resolution", Resolve).RequireAuthorization(OperatorPolicies.Act)
            .WithName("AdminResolveWrite")
            .WithSummary("Decide about a conflicted write (same rules as the submitter's), or retry or discard a failed one; audited")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapPost("/writes/{writeId}/restore", Restore).RequireAuthorization(OperatorPolicies.Act)
            .WithName("AdminRestoreWrite")
            .WithSummary("Bring a discarded write back from the archive (parked again, or failed again); audited")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapPost("/bulk-actions", StartBulk).RequireAuthorization(OperatorPolicies.Act)
            .WithName("AdminStartBulkAction")
            .WithSummary("One action on a selection of writes or a whole group, in the background, in submission order")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/bulk-actions", RecentBulk).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminListBulkActions")
            .WithSummary("Recent bulk actions, newest first");
        admin.MapGet("/bulk-actions/{bulkId:guid}", GetBulk).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminGetBulkAction")
            .WithSummary("A bulk action's progress and summary")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapGet("/archive", ListArchive).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminListArchive")
            .WithSummary("Discarded writes, newest first, with who discarded them, why, and when they will be purged")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/blocked-keys", ListBlockedKeys).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminListBlockedKeys")
            .WithSummary("Keys whose writes wait behind a conflicted write, longest blocked first");
        return app;
    }

    static async Task<Results<Ok<ParkedWritePage>, ProblemHttpResult>> List(
        string? collection, string? key, string? kind, Guid? client, int? olderThanMinutes, string? q, int? page, int? pageSize,
        ParkedWrites writes, HttpContext http) =>
        Filter(collection, key, kind, client, olderThanMinutes, q, page, pageSize) is { } filter
            ? TypedResults.Ok(await writes.ListAsync(filter, http.RequestAborted))
            : InvalidFilter();

    static async Task<Results<EmptyHttpResult, ProblemHttpResult>> Export(
        string? collection, string? key, string? kind, Guid? client, int? olderThanMinutes, string? q,
        ParkedWrites writes, HttpContext http)
    {
        if (Filter(collection, key, kind, client, olderThanMinutes, q, 1, 1) is not { } filter)
        {
            return InvalidFilter();
        }

        await Csv.DownloadAsync(http, "parked-writes", output => writes.ExportCsvAsync(filter, output, http.RequestAborted));
        return TypedResults.Empty;
    }

    static ParkedWriteFilter? Filter(string? collection, string? key, string? kind, Guid? client, int? olderThanMinutes, string? q, int? page, int? pageSize) =>
        olderThanMinutes < 0 || page < 1 || pageSize is < 1 or > ParkedWrites.MaxPageSize
            ? null
            : new ParkedWriteFilter
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

    static ProblemHttpResult InvalidFilter() =>
        ProblemCatalog.InvalidQuery($"olderThanMinutes must be >= 0, page >= 1, pageSize 1 to {ParkedWrites.MaxPageSize}.");

    static async Task<Ok<IReadOnlyList<ParkedWriteGroup>>> Groups(ParkedWrites writes, HttpContext http) =>
        TypedResults.Ok(await writes.GroupsAsync(http.RequestAborted));

    static async Task<Results<Ok<WriteStatusView>, ProblemHttpResult>> Get(string writeId, WritePipelineDbContext db, HttpContext http) =>
        Guid.TryParse(writeId, out var id) && await WritesApi.ReadStatusAsync(db, id, null, http.RequestAborted) is { } status
            ? TypedResults.Ok(status)
            : ProblemCatalog.WriteNotFound(id);

    static async Task<Results<Ok<WriteDetailsView>, ProblemHttpResult>> Details(string writeId, WriteDetails details, HttpContext http) =>
        Guid.TryParse(writeId, out var id) && await details.ReadAsync(id, http.RequestAborted) is { } view
            ? TypedResults.Ok(view)
            : ProblemCatalog.WriteNotFound(id);

    static async Task<Results<Accepted<WriteStatusView>, ProblemHttpResult>> Resolve(
        string writeId, ResolutionRequest request, WriteActions actions, HttpContext http) =>
        Guid.TryParse(writeId, out var id)
            ? Answer(id, await actions.DecideAsync(id, request, http.User.Actor(), http.RequestAborted))
            : ProblemCatalog.WriteNotFound(id);

    static async Task<Results<Accepted<WriteStatusView>, ProblemHttpResult>> Restore(string writeId, WriteActions actions, HttpContext http) =>
        Guid.TryParse(writeId, out var id)
            ? Answer(id, await actions.RestoreAsync(id, http.User.Actor(), http.RequestAborted))
            : ProblemCatalog.WriteNotFound(id);

    /// <summary>
    /// The submitters' answer, except that the 202 points at the admin status resource: an operator's token opens no
    /// client endpoint, so <c>/v1/writes/{id}</c> would answer the operator 401.
    /// </summary>
    static Results<Accepted<WriteStatusView>, ProblemHttpResult> Answer(Guid writeId, DecisionOutcome outcome) =>
        outcome is DecisionOutcome.Taken taken
            ? TypedResults.Accepted("/v1/admin/writes/" + taken.Status.WriteId, taken.Status)
            : ResolutionsApi.Answer(writeId, outcome);

    static async Task<Results<Accepted<BulkActionView>, ProblemHttpResult>> StartBulk(BulkActionRequest request, BulkActions bulk, HttpContext http) =>
        await bulk.StartAsync(request, http.User.Actor(), http.RequestAborted) switch
        {
            BulkStart.Started started => TypedResults.Accepted("/v1/admin/bulk-actions/" + started.Bulk.Id, started.Bulk),
            BulkStart.Invalid invalid => ProblemCatalog.InvalidBulkAction(invalid.Detail),
            _ => throw new InvalidOperationException(),
        };

    static async Task<Ok<IReadOnlyList<BulkActionView>>> RecentBulk(BulkActions bulk, HttpContext http) =>
        TypedResults.Ok(await bulk.RecentAsync(50, http.RequestAborted));

    static async Task<Results<Ok<BulkActionView>, ProblemHttpResult>> GetBulk(Guid bulkId, BulkActions bulk, HttpContext http) =>
        await bulk.FindAsync(bulkId, http.RequestAborted) is { } view ? TypedResults.Ok(view) : ProblemCatalog.BulkActionNotFound(bulkId);

    static async Task<Results<Ok<ArchivePage>, ProblemHttpResult>> ListArchive(string? collection, string? key, int? page, int? pageSize, Archive archive, HttpContext http) =>
        page < 1 || pageSize is < 1 or > ParkedWrites.MaxPageSize
            ? InvalidFilter()
            : TypedResults.Ok(await archive.ListAsync(collection, key, page ?? 1, pageSize ?? 50, http.RequestAborted));

    static async Task<Ok<IReadOnlyList<BlockedKey>>> ListBlockedKeys(string? collection, int? limit, BlockedKeys keys, HttpContext http) =>
        TypedResults.Ok(await keys.ListAsync(collection, limit ?? 100, http.RequestAborted));
}
