using WritePipeline.Conflicts;

namespace WritePipeline.Writes;

/// <summary>The body of a 202: the write was accepted and is on the broker.</summary>
public sealed record WriteReceipt(Guid WriteId, string Status, string Collection, string Key, string Operation, DateTimeOffset SubmittedAt)
{
    public static WriteReceipt For(Write write) =>
        new(write.Id, WriteStatus.Queued, write.Collection, write.Key, write.Operation, write.SubmittedAt);
}

/// <summary>Why a write was not applied.</summary>
public sealed record WriteError(string Type, string? Detail);

/// <summary>The decision taken about a conflicted write.</summary>
public sealed record ResolutionView(string Action, string? Reason, string? By, DateTimeOffset? RequestedAt, DateTimeOffset? ResolvedAt);

/// <summary>The status resource of a write.</summary>
public sealed record WriteStatusView(
    Guid WriteId,
    string Status,
    string Collection,
    string Key,
    string Operation,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? AppliedAt,
    long? Version,
    WriteError? Error,
    ConflictView? Conflict,
    Guid? HeldBehind,
    DateTimeOffset? RetryUntil,
    IReadOnlyList<string> Actions,
    ResolutionView? Resolution)
{
    public static WriteStatusView For(Write write, WriteConflict? conflict, ConflictState? saga = null) => new(
        write.Id,
        write.Status,
        write.Collection,
        write.Key,
        write.Operation,
        write.SubmittedAt,
        write.Status == WriteStatus.Applied ? write.CompletedAt : null,
        write.Version,
        write.ErrorType is null ? null : new WriteError(write.ErrorType, write.ErrorDetail),
        conflict is null ? null : ConflictView.For(conflict),
        write.HeldBehind,
        write.RetryUntil,
        ResolutionRules.AllowedActions(write.Status, write.Operation, write.ErrorType),
        saga?.ResolutionAction is null
            ? null
            : new ResolutionView(saga.ResolutionAction, saga.ResolutionReason, saga.ResolvedBy, saga.ResolutionRequestedAt, saga.ResolvedAt));
}
