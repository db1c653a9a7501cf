using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Clients;
using WritePipeline.Contracts;
using WritePipeline.Data;
using WritePipeline.Problems;
using WritePipeline.Writes;

namespace WritePipeline.Conflicts;

/// <summary>The decision about a conflicted write, as its submitter sends it.</summary>
/// <param name="Action">retry, rebase, overwrite, resubmit or discard.</param>
/// <param name="Document">For resubmit: the corrected document (a replace) or merge patch (a patch).</param>
/// <param name="Reason">For discard: why (kept with the write).</param>
public sealed record ResolutionRequest(string? Action, JsonObject? Document, string? Reason);

/// <summary>Submitters resolve their own conflicted writes.</summary>
public static class ResolutionsApi
{
    public const int MaxReasonLength = 2000;

    public static IEndpointRouteBuilder MapResolutionsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/writes/{writeId}/resolution", PostResolution)
            .RequireAuthorization()
            .WithTags("Conflicts")
            .WithName("ResolveWrite")
            .WithSummary("Decide about a conflicted write: retry, rebase, overwrite, resubmit or discard (answers 202 once the decision is taken)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    static async Task<Results<Accepted<WriteStatusView>, ProblemHttpResult>> PostResolution(
        string writeId, ResolutionRequest request, HttpContext http, WritePipelineDbContext db, IRequestClient<ResolveConflict> saga)
    {
        if (!Guid.TryParse(writeId, out var id))
        {
            return ProblemCatalog.WriteNotFound(Guid.Empty);
        }

        var clientId = http.User.ClientId();
        var write = await db.Writes.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id && w.ClientId == clientId, http.RequestAborted);
        if (write is null || write.Status == WriteStatus.Rejected)
        {
            return ProblemCatalog.WriteNotFound(id);
        }

        if (Invalid(request) is { } invalid)
        {
            return ProblemCatalog.InvalidResolution(invalid);
        }

        // Answer the obvious refusals here; the saga decides the rest (and any race) itself.
        if (ResolutionRules.Refusal(write.Status, write.Operation, write.ErrorType, request.Action!) is { } refusal)
        {
            return ProblemCatalog.ResolutionNotAllowed(write.Status, refusal);
        }

        try
        {
            var response = await saga.GetResponse<ResolutionAccepted, ResolutionRefused>(
                new ResolveConflict
                {
                    WriteId = id,
                    ResolutionId = NewId.NextGuid(),
                    Action = request.Action!,
                    Body = request.Document?.ToJsonString(),
                    Reason = request.Reason,
                    RequestedBy = "client:" + clientId,
                },
                http.RequestAborted);
            if (response.Is(out Response<ResolutionRefused>? refused))
            {
                return ProblemCatalog.ResolutionNotAllowed(refused.Message.Status, refused.Message.Reason);
            }
        }
        catch (RequestTimeoutException)
        {
            // The request expires on the broker with the timeout, but a worker may have taken it just before: say so.
            return ProblemCatalog.DecisionUnavailable(
                "No worker answered in time. The decision was most likely not taken; read the write's status before deciding again.");
        }

        var status = await WritesApi.ReadStatusAsync(db, id, clientId, http.RequestAborted);
        return TypedResults.Accepted(WritesApi.StatusPath(id), status);
    }

    static string? Invalid(ResolutionRequest request) => request.Action switch
    {
        null => "Name an action: " + string.Join(", ", ResolutionActions.All) + ".",
        _ when !ResolutionActions.IsKnown(request.Action) => $"Unknown action '{request.Action}'; use one of " + string.Join(", ", ResolutionActions.All) + ".",
        ResolutionActions.Resubmit when request.Document is null => "resubmit needs 'document': the corrected document, or merge patch for a patch.",
        ResolutionActions.Discard when string.IsNullOrWhiteSpace(request.Reason) => "discard needs a 'reason'.",
        _ when request.Reason?.Length > MaxReasonLength => $"The reason is limited to {MaxReasonLength} characters.",
        _ => null,
    };
}
