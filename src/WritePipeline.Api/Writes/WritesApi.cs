using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using WritePipeline.Clients;
using WritePipeline.Contracts;
using WritePipeline.Problems;
using WritePipeline.Writes.Status;

namespace WritePipeline.Writes;

/// <summary>What PUT, PATCH and DELETE of a record each bind: the record's route, the request, and the services that submit it.</summary>
public readonly record struct RecordSubmission(
    [FromRoute(Name = "collection")] string Collection,
    [FromRoute(Name = "key")] string Key,
    HttpContext Http,
    SubmissionReader Reader,
    WriteSubmitter Submitter,
    SubmissionWait Wait,
    IOptions<ApiOptions> Options);

/// <summary>Submitting writes (PUT, PATCH, DELETE of a record) and reading their status.</summary>
public static class WritesApi
{
    public static IEndpointRouteBuilder MapWritesApi(this IEndpointRouteBuilder app)
    {
        var record = app.MapGroup("/v1/collections/{collection}/records/{key}")
            .RequireAuthorization()
            .RequireGrant(CollectionAccess.Write)
            .WithTags("Writes")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            // Api:RequireIdempotencyKey: a write without one.
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            // With Prefer: wait=N, the outcome instead of the receipt: the record (200, 201, 204), or the conflict.
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        record.MapPut("", PutRecord)
            .WithName("PutRecord")
            .WithDescription("Queues a create-or-replace of the record with the JSON object sent and answers 202 with a receipt once the broker holds the write; the write is applied in order with the other writes to its key. If-Match makes it conditional on the record's version, If-None-Match: * on its absence; an Idempotency-Key makes a retry answer the first receipt. Prefer: wait=N waits up to N seconds for the outcome. Needs the w grant on the collection.")
            .WithSummary("Create or replace a record (queued; answers 202 once the broker has the write)")
            .Accepts<JsonObject>(SubmissionReader.JsonMediaType)
            .Produces<JsonObject>(StatusCodes.Status200OK, "application/json")
            .Produces<JsonObject>(StatusCodes.Status201Created, "application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        record.MapPatch("", PatchRecord)
            .WithName("PatchRecord")
            .WithDescription("Queues a JSON merge patch (RFC 7396, application/merge-patch+json) of the record and answers 202 once the broker holds it; the patch is applied to the record as it is when the write's turn comes. Same preconditions, Idempotency-Key and Prefer: wait as PUT. Needs the w grant on the collection.")
            .WithSummary("Merge-patch a record (RFC 7396)")
            .Accepts<JsonObject>(SubmissionReader.MergePatchMediaType)
            .Produces<JsonObject>(StatusCodes.Status200OK, "application/json")
            .Produces<JsonObject>(StatusCodes.Status201Created, "application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        record.MapDelete("", DeleteRecord)
            .WithName("DeleteRecord")
            .WithDescription("Queues the deletion of the record and answers 202 once the broker holds it. Same preconditions, Idempotency-Key and Prefer: wait as PUT. Needs the w grant on the collection.")
            .WithSummary("Delete a record");

        app.MapGet("/v1/writes/{writeId}", GetWrite)
            .RequireAuthorization()
            .WithTags("Writes")
            .WithName("GetWrite")
            .WithDescription("The status resource of one of this client's writes: queued, waiting, held, applied, conflicted, notified, parked, resolving, discarded, failed or duplicate (duplicateOf names the write applied in its place), with its conflict and the actions the client may take. A write accepted but not yet recorded by a worker is queued, with its submittedAt only. Another client's write, and an id never given out, is 404.")
            .WithSummary("The status of a write")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    static Task<Results<Accepted<WriteReceipt>, ContentHttpResult, NoContent, ProblemHttpResult>> PutRecord(
        [AsParameters] RecordSubmission submission) =>
        Submit(submission, WriteOperations.Replace);

    static Task<Results<Accepted<WriteReceipt>, ContentHttpResult, NoContent, ProblemHttpResult>> PatchRecord(
        [AsParameters] RecordSubmission submission) =>
        Submit(submission, WriteOperations.Patch);

    static Task<Results<Accepted<WriteReceipt>, ContentHttpResult, NoContent, ProblemHttpResult>> DeleteRecord(
        [AsParameters] RecordSubmission submission) =>
        Submit(submission, WriteOperations.Delete);

    static async Task<Results<Accepted<WriteReceipt>, ContentHttpResult, NoContent, ProblemHttpResult>> Submit(
        RecordSubmission submission, string operation)
    {
        var (collection, key, http, reader, submitter, wait, options) = submission;
        var (read, problem) = reader.Read(http.Request, collection, key, operation);
        if (read is null)
        {
            return problem!;
        }

        var result = await submitter.SubmitAsync(http.User.ClientId(), read.Request, http.RequestAborted);
        var retryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        switch (result)
        {
            case SubmitResult.Accepted accepted:
                if (accepted.Receipt.Replayed)
                {
                    http.Response.Headers["Idempotent-Replayed"] = "true";
                }

                // The write is on the broker: whatever the wait brings, it is accepted.
                if (read.WaitSeconds is { } seconds)
                {
                    http.Response.Headers["Preference-Applied"] = $"wait={seconds}";
                    var outcome = await wait.OutcomeAsync(accepted.Receipt.WriteId, http.User.ClientId(), TimeSpan.FromSeconds(seconds), http);
                    switch (outcome?.Result)
                    {
                        case ContentHttpResult record:
                            return record;
                        case NoContent deleted:
                            return deleted;
                        case ProblemHttpResult conflict:
                            return conflict;
                    }
                }

                http.Response.Headers.RetryAfter = retryAfter;
                return TypedResults.Accepted(WriteReceipt.StatusPath(accepted.Receipt.WriteId), accepted.Receipt);
            case SubmitResult.IdempotencyMismatch mismatch:
                return WriteProblems.IdempotencyKeyMismatch(mismatch.IdempotencyKey).ToResult();
            case SubmitResult.BrokerUnavailable unavailable:
                http.Response.Headers.RetryAfter = retryAfter;
                return ProblemCatalog.BrokerUnavailable(unavailable.Detail).ToResult();
            case SubmitResult.BacklogFull full:
                http.Response.Headers.RetryAfter = retryAfter;
                return WriteProblems.BacklogFull(full.Partition).ToResult();
            default:
                throw new InvalidOperationException("Unknown submission result.");
        }
    }

    static async Task<Results<Ok<WriteStatusView>, ProblemHttpResult>> GetWrite(
        string writeId, HttpContext http, WriteStatusQuery statuses, IOptions<ApiOptions> options)
    {
        if (!Guid.TryParse(writeId, out var id))
        {
            return WriteProblems.WriteNotFound(Guid.Empty).ToResult();
        }

        var status = await statuses.ReadAsync(id, http.User.ClientId(), http.RequestAborted);
        if (status is null)
        {
            return WriteProblems.WriteNotFound(id).ToResult();
        }

        if (!WriteStatus.IsFinal(status.Status))
        {
            http.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        return TypedResults.Ok(status);
    }
}
