using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Contracts;
using WritePipeline.Data;
using WritePipeline.Records;
using WritePipeline.Problems;
using WritePipeline.Writes.Status;

namespace WritePipeline.Writes;

/// <summary>
/// <c>Prefer: wait=N</c> (RFC 7240): a submitter that would rather have the outcome than a receipt waits up to N
/// seconds (capped) for it. The write is on the broker either way; only the answer changes: the record (200, 201),
/// nothing (204, a delete), the conflict (409, 412), the failure (422), or the usual 202 when time runs out or the
/// database cannot be read.
/// </summary>
public sealed class SubmissionWait(WritePipelineDbContext db, WriteStatusQuery statuses, TimeProvider clock)
{
    static readonly TimeSpan FrequentLooksFor = TimeSpan.FromMilliseconds(100);

    /// <summary>The answer once the write is decided, or null when <paramref name="wait"/> ran out first.</summary>
    public async Task<Results<ContentHttpResult, NoContent, ProblemHttpResult>?> OutcomeAsync(Guid writeId, Guid clientId, TimeSpan wait, HttpContext http)
    {
        var started = clock.GetUtcNow();
        var deadline = started + wait;
        // Most writes are applied within milliseconds of their 202: look every couple of milliseconds at first (a read
        // of one row by its key), then less and less often.
        var pause = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            try
            {
                var status = await statuses.ReadAsync(writeId, clientId, http.RequestAborted);
                if (status is { Status: WriteStatus.Duplicate })
                {
                    // Final, and not the write that is applied (its duplicateOf is): no outcome of its own to wait for.
                    return null;
                }

                if (status is not null && await AnswerAsync(status, http) is { } answer)
                {
                    return answer;
                }
            }
            catch (Exception ex) when (TransientFailures.IsTransient(ex) && !http.RequestAborted.IsCancellationRequested)
            {
                // The write is accepted whatever the database is doing: its receipt, not a 503 its client would retry.
                return null;
            }

            var left = deadline - clock.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            await Task.Delay(pause < left ? pause : left, http.RequestAborted);
            if (clock.GetUtcNow() - started > FrequentLooksFor)
            {
                pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 1.5, 250));
            }
        }
    }

    async Task<Results<ContentHttpResult, NoContent, ProblemHttpResult>?> AnswerAsync(WriteStatusView status, HttpContext http)
    {
        switch (status.Status)
        {
            case WriteStatus.Applied when status.Operation == WriteOperations.Delete:
                return TypedResults.NoContent();

            case WriteStatus.Applied:
                var produced = await db.RecordVersions.AsNoTracking()
                    .Where(v => v.Collection == status.Collection && v.Key == status.Key && (v.Version == status.Version || v.Version == status.Version - 1))
                    .ToListAsync(http.RequestAborted);
                var version = produced.Single(v => v.Version == status.Version);
                var created = produced.SingleOrDefault(v => v.Version == status.Version - 1) is not { Document: not null };
                http.Response.Headers.ETag = ETags.For(version.Version);
                if (created)
                {
                    http.Response.Headers.Location = $"/v1/collections/{status.Collection}/records/{status.Key}";
                }

                return TypedResults.Text(version.Document, "application/json", statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);

            // Not while merely "conflicted": a moment later the saga has it, and the answer can list the actions allowed.
            case WriteStatus.Notified or WriteStatus.Parked when status.Conflict is { } conflict:
                return WriteProblems.WriteConflicted(conflict.Type, conflict.Detail, Extensions(status)).ToResult();

            case WriteStatus.Failed when status.Error is { } error:
                return WriteProblems.WriteFailed(error.Type, error.Detail ?? error.Type, Extensions(status)).ToResult();

            default:
                return null;
        }
    }

    static Dictionary<string, object?> Extensions(WriteStatusView status) => new()
    {
        ["writeId"] = status.WriteId,
        ["writeStatus"] = status.Status,
        ["conflict"] = status.Conflict,
        ["actions"] = status.Actions,
        ["links"] = new Dictionary<string, string>
        {
            ["status"] = WriteReceipt.StatusPath(status.WriteId),
            ["resolution"] = WriteReceipt.StatusPath(status.WriteId) + "/resolution",
        },
    };
}
