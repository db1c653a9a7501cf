using Microsoft.AspNetCore.Http.HttpResults;
using WritePipeline.Audit;
using WritePipeline.Conflicts;
using WritePipeline.Operators;
using WritePipeline.Problems;
using WritePipeline.Writes;
using WritePipeline.Writes.Status;

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
            .WithDescription("Writes of every client waiting for a person (parked, notified) or failed, oldest first, filtered by collection, key, conflict kind, client, age and a search of key and document, paged. Viewer role or above.")
            .WithSummary("Parked, notified and failed writes, filtered, oldest first, paged")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/writes/export", Export).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminExportWaitingWrites")
            .WithDescription("The waiting writes filtered as the list is, every page, as CSV (one row a write, oldest first; cells that a spreadsheet would run as formulas are made harmless). Viewer role or above.")
            .WithSummary("The same list, filtered the same way, as CSV (every page)")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/writes/groups", Groups).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminWaitingWriteGroups")
            .WithDescription("Waiting writes grouped by collection and conflict kind, with how many and the oldest submission: where to start. Viewer role or above.")
            .WithSummary("Waiting writes by collection and conflict kind: how many, since when");
        admin.MapGet("/writes/{writeId}", Get).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminGetWrite")
            .WithDescription("Any client's write with its status and conflict, as the submitter's status resource shows it, with every detail operators may see. Viewer role or above.")
            .WithSummary("Any client's write, with its conflict")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapGet("/writes/{writeId}/details", Details).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminGetWriteDetails")
            .WithDescription("Everything an operator needs to decide: the write, the record now, a side-by-side difference of the two, the writes held behind it, its timeline, and the actions allowed in its state. Viewer role or above.")
            .WithSummary("A write with the record now, the side-by-side difference, held writes, its timeline and the actions an operator can take")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/writes/{writeId}/resolution", Resolve).RequireAuthorization(OperatorPolicies.Act)
            .WithName("AdminResolveWrite")
            .WithDescription("Takes a decision about a conflicted write by the submitter's rules (retry, rebase, overwrite, resubmit with a document, discard with a reason), or retries or discards a failed write. Answers 202 once the worker took it (409 when the write's state does not allow the action). Operator role or above; audited as write.<action>.")
            .WithSummary("Decide about a conflicted write (same rules as the submitter's), or retry or discard a failed one; audited")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapPost("/writes/{writeId}/restore", Restore).RequireAuthorization(OperatorPolicies.Act)
            .WithName("AdminRestoreWrite")
            .WithDescription("Brings a discarded write back from the archive: parked again with its conflict, or failed again. Operator role or above; audited as write.restore.")
            .WithSummary("Bring a discarded write back from the archive (parked again, or failed again); audited")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapPost("/bulk-actions", StartBulk).RequireAuthorization(OperatorPolicies.Act)
            .WithName("AdminStartBulkAction")
            .WithDescription("Starts one action (retry, rebase, overwrite, discard) on the writes named or on a whole group (collection and conflict kind), applied in the background in submission order; answers 202 with the bulk action to follow. Operator role or above; each write's action is audited.")
            .WithSummary("One action on a selection of writes or a whole group, in the background, in submission order")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/bulk-actions", RecentBulk).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminListBulkActions")
            .WithDescription("The recent bulk actions, newest first, with their progress. Viewer role or above.")
            .WithSummary("Recent bulk actions, newest first");
        admin.MapGet("/bulk-actions/{bulkId:guid}", GetBulk).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminGetBulkAction")
            .WithDescription("A bulk action's progress: how many writes taken, refused and left, and why each refused write was not taken. Viewer role or above.")
            .WithSummary("A bulk action's progress and summary")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapGet("/archive", ListArchive).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminListArchive")
            .WithDescription("Discarded writes, newest first, with who discarded them, why, and when they will be purged (Archive:Retention). Viewer role or above.")
            .WithSummary("Discarded writes, newest first, with who discarded them, why, and when they will be purged")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/blocked-keys", ListBlockedKeys).RequireAuthorization(OperatorPolicies.View)
            .WithName("AdminListBlockedKeys")
            .WithDescription("Records whose later writes wait behind a conflicted write: how many wait, since when, and the write blocking them. Viewer role or above.")
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

        await CsvDownloads.WriteAsync(http, "parked-writes", output => writes.ExportCsvAsync(filter, output, http.RequestAborted));
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
        ProblemCatalog.InvalidQuery($"olderThanMinutes must be >= 0, page >= 1, pageSize 1 to {ParkedWrites.MaxPageSize}.").ToResult();

    static async Task<Ok<IReadOnlyList<ParkedWriteGroup>>> Groups(ParkedWrites writes, HttpContext http) =>
        TypedResults.Ok(await writes.GroupsAsync(http.RequestAborted));

    static async Task<Results<Ok<WriteStatusView>, ProblemHttpResult>> Get(string writeId, WriteStatusQuery statuses, HttpContext http) =>
        Guid.TryParse(writeId, out var id) && await statuses.ReadAsync(id, null, http.RequestAborted) is { } status
            ? TypedResults.Ok(status)
            : WriteProblems.WriteNotFound(id).ToResult();

    static async Task<Results<Ok<WriteDetailsView>, ProblemHttpResult>> Details(string writeId, WriteDetails details, HttpContext http) =>
        Guid.TryParse(writeId, out var id) && await details.ReadAsync(id, http.RequestAborted) is { } view
            ? TypedResults.Ok(view)
            : WriteProblems.WriteNotFound(id).ToResult();

    static async Task<Results<Accepted<WriteStatusView>, ProblemHttpResult>> Resolve(
        string writeId, ResolutionRequest request, WriteActions actions, HttpContext http) =>
        Guid.TryParse(writeId, out var id)
            ? Answer(http, id, await actions.DecideAsync(id, request, http.User.Actor(), http.RequestAborted))
            : WriteProblems.WriteNotFound(id).ToResult();

    static async Task<Results<Accepted<WriteStatusView>, ProblemHttpResult>> Restore(string writeId, WriteActions actions, HttpContext http) =>
        Guid.TryParse(writeId, out var id)
            ? Answer(http, id, await actions.RestoreAsync(id, http.User.Actor(), http.RequestAborted))
            : WriteProblems.WriteNotFound(id).ToResult();

    /// <summary>
    /// The submitters' answer, except that the 202 points at the admin status resource: an operator's token opens no
    /// client endpoint, so <c>/v1/writes/{id}</c> would answer the operator 401.
    /// </summary>
    static Results<Accepted<WriteStatusView>, ProblemHttpResult> Answer(HttpContext http, Guid writeId, DecisionOutcome outcome) =>
        outcome is DecisionOutcome.Taken taken
            ? TypedResults.Accepted("/v1/admin/writes/" + taken.Status.WriteId, taken.Status)
            : ResolutionsApi.Answer(http, writeId, outcome);

    static async Task<Results<Accepted<BulkActionView>, ProblemHttpResult>> StartBulk(BulkActionRequest request, BulkActions bulk, HttpContext http) =>
        await bulk.StartAsync(request, http.User.Actor(), http.RequestAborted) switch
        {
            BulkStart.Started started => TypedResults.Accepted("/v1/admin/bulk-actions/" + started.Bulk.Id, started.Bulk),
            BulkStart.Invalid invalid => BulkActionProblems.InvalidBulkAction(invalid.Detail).ToResult(),
            _ => throw new InvalidOperationException(),
        };

    static async Task<Ok<IReadOnlyList<BulkActionView>>> RecentBulk(BulkActions bulk, HttpContext http) =>
        TypedResults.Ok(await bulk.RecentAsync(50, http.RequestAborted));

    static async Task<Results<Ok<BulkActionView>, ProblemHttpResult>> GetBulk(Guid bulkId, BulkActions bulk, HttpContext http) =>
        await bulk.FindAsync(bulkId, http.RequestAborted) is { } view ? TypedResults.Ok(view) : BulkActionProblems.BulkActionNotFound(bulkId).ToResult();

    static async Task<Results<Ok<ArchivePage>, ProblemHttpResult>> ListArchive(string? collection, string? key, int? page, int? pageSize, Archive archive, HttpContext http) =>
        page < 1 || pageSize is < 1 or > ParkedWrites.MaxPageSize
            ? InvalidFilter()
            : TypedResults.Ok(await archive.ListAsync(collection, key, page ?? 1, pageSize ?? 50, http.RequestAborted));

    static async Task<Ok<IReadOnlyList<BlockedKey>>> ListBlockedKeys(string? collection, int? limit, BlockedKeys keys, HttpContext http) =>
        TypedResults.Ok(await keys.ListAsync(collection, limit ?? 100, http.RequestAborted));
}
