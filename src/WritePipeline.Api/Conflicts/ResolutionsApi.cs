using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Clients;
using WritePipeline.Collections;
using WritePipeline.Data;
using WritePipeline.Writes;
using WritePipeline.Problems;
using WritePipeline.Writes.Status;

namespace WritePipeline.Conflicts;

/// <summary>Submitters resolve their own conflicted writes.</summary>
public static class ResolutionsApi
{
    public static IEndpointRouteBuilder MapResolutionsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/writes/{writeId}/resolution", PostResolution)
            .RequireAuthorization()
            .WithTags("Conflicts")
            .WithName("ResolveWrite")
            .WithDescription("Decides about one of this client's conflicted writes: retry, rebase, overwrite, resubmit (with the corrected document) or discard (with a reason). Answers 202 once the worker took the decision; 409 when the write's state does not allow the action. Needs the w grant on the write's collection.")
            .WithSummary("Decide about a conflicted write: retry, rebase, overwrite, resubmit or discard (answers 202 once the decision is taken)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    static async Task<Results<Accepted<WriteStatusView>, ProblemHttpResult>> PostResolution(
        string writeId, ResolutionRequest request, HttpContext http, WritePipelineDbContext db, Decisions decisions)
    {
        var clientId = http.User.ClientId();
        var write = Guid.TryParse(writeId, out var id)
            ? await db.Writes.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id && w.ClientId == clientId, http.RequestAborted)
            : null;
        if (write is null || write.Status == WriteStatus.Rejected)
        {
            return WriteProblems.WriteNotFound(id).ToResult();
        }

        // A decision writes the record: it needs the grant a submission to the collection needs.
        if (GrantChecks.Refusal(http, write.Collection, CollectionAccess.Write) is { } refused)
        {
            return refused;
        }

        return Answer(http, write.Id, await decisions.TakeAsync(write, request, "client:" + clientId, StatusAudience.Client, http.RequestAborted));
    }

    /// <summary>The HTTP answer to a decision, the same for submitters and operators.</summary>
    public static Results<Accepted<WriteStatusView>, ProblemHttpResult> Answer(HttpContext http, Guid writeId, DecisionOutcome outcome) => outcome switch
    {
        DecisionOutcome.Refused { RetryAfter: { } retryAfter } refused => RetryLater(http, refused, retryAfter),
        DecisionOutcome.Taken taken => TypedResults.Accepted(WriteReceipt.StatusPath(taken.Status.WriteId), taken.Status),
        DecisionOutcome.Invalid { Violations: { } violations } => CollectionProblems.SchemaViolation(violations).ToResult(),
        DecisionOutcome.Invalid invalid => ConflictProblems.InvalidResolution(invalid.Detail).ToResult(),
        DecisionOutcome.Refused refused => ConflictProblems.ResolutionNotAllowed(refused.Status, refused.Reason).ToResult(),
        DecisionOutcome.NotFound => WriteProblems.WriteNotFound(writeId).ToResult(),
        _ => ConflictProblems.DecisionUnavailable(
            "No worker answered in time. The decision was most likely not taken; read the write's status before deciding again.").ToResult(),
    };

    static ProblemHttpResult RetryLater(HttpContext http, DecisionOutcome.Refused refused, TimeSpan retryAfter)
    {
        http.Response.Headers.RetryAfter = ConflictProblems.Seconds(retryAfter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ConflictProblems.DecisionUnderway(refused.Status, refused.Reason, retryAfter).ToResult();
    }
}
