using MassTransit;
using WritePipeline.Collections;
using WritePipeline.Contracts;
using WritePipeline.Json;
using WritePipeline.Writes;
using WritePipeline.Problems;
using WritePipeline.Writes.Status;

namespace WritePipeline.Conflicts;

/// <summary>What became of a decision about a conflicted write.</summary>
public abstract record DecisionOutcome
{
    DecisionOutcome()
    {
    }

    /// <summary>The saga took it; the write is on its way back through its partition.</summary>
    public sealed record Taken(WriteStatusView Status) : DecisionOutcome;

    /// <summary>
    /// The decision is malformed (unknown action, missing document or reason), or its document breaks the collection's
    /// schema (<paramref name="Violations"/>: every failing path).
    /// </summary>
    public sealed record Invalid(string Detail, IReadOnlyList<SchemaViolation>? Violations = null) : DecisionOutcome;

    /// <summary>
    /// The decision makes no sense for the write's state or conflict; or, with <paramref name="RetryAfter"/>, not yet:
    /// the same request is expected to be allowed once that much time has passed.
    /// </summary>
    public sealed record Refused(string Status, string Reason, TimeSpan? RetryAfter = null) : DecisionOutcome;

    /// <summary>No worker answered in time; most likely not taken.</summary>
    public sealed record Unanswered : DecisionOutcome;

    /// <summary>There is no such write (for this caller).</summary>
    public sealed record NotFound : DecisionOutcome;
}

/// <summary>
/// Takes decisions about conflicted writes for whoever may take them (the submitter, an operator): one path, the
/// conflict saga, which alone decides, so two concurrent decisions cannot both be taken.
/// </summary>
public sealed class Decisions(IRequestClient<ResolveConflict> saga, CollectionCatalog collections, WriteStatusQuery statuses)
{
    public const int MaxReasonLength = ResolutionPolicy.MaxReasonLength;

    /// <param name="audience">Who gets the status resource in the answer: the write's client, or an operator.</param>
    public async Task<DecisionOutcome> TakeAsync(
        Write write, ResolutionRequest request, string requestedBy, StatusAudience audience, CancellationToken cancellationToken, string? auditNote = null)
    {
        // Answer the obvious refusals here; the saga asks the same policy again and decides any race itself.
        if (ResolutionPolicy.Check(write.Status, write.Operation, write.ErrorType, request.Action, request.Document is not null, request.Reason, audience) is { } refusal)
        {
            return refusal;
        }

        // A resubmitted document is held to the schema as a PUT is; a resubmitted patch is checked merged, on the worker.
        if (request.Action == ResolutionActions.Resubmit && write.Operation == WriteOperations.Replace
            && collections.SchemaOf(write.Collection)?.Validate(request.Document!) is { Count: > 0 } violations)
        {
            return new DecisionOutcome.Invalid(CollectionSchema.Describe(violations), violations);
        }

        try
        {
            var response = await saga.GetResponse<ResolutionAccepted, ResolutionRefused>(
                new ResolveConflict
                {
                    WriteId = write.Id,
                    ResolutionId = NewId.NextGuid(),
                    Action = request.Action!,
                    Body = request.Document?.ToReadableJson(),
                    Reason = request.Reason,
                    RequestedBy = requestedBy,
                    AuditNote = auditNote,
                },
                cancellationToken);
            if (response.Is(out Response<ResolutionRefused>? refused))
            {
                return new DecisionOutcome.Refused(refused.Message.Status, refused.Message.Reason);
            }
        }
        catch (RequestTimeoutException)
        {
            // The request expires on the broker with the timeout, but a worker may have taken it just before.
            return new DecisionOutcome.Unanswered();
        }

        var viewer = audience == StatusAudience.Client ? write.ClientId : (Guid?)null;
        return new DecisionOutcome.Taken((await statuses.ReadAsync(write.Id, viewer, cancellationToken))!);
    }
}
