using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;
using WritePipeline.Writes;
using WritePipeline.Writes.Status;

namespace WritePipeline.Conflicts;

/// <summary>
/// The conflict's part of a write's status (<see cref="IWriteDecisions"/>): the decisions <see cref="ResolutionPolicy"/>
/// allows the write now, and what its saga decided.
/// </summary>
public sealed class WriteDecisions(WritePipelineDbContext db) : IWriteDecisions
{
    /// <summary>A saga as a write's status shows it: one mapping, for the query and for a saga in hand.</summary>
    static readonly Expression<Func<ConflictState, DecisionState>> Decision = saga => new DecisionState
    {
        WriteId = (Guid?)saga.CorrelationId,
        Conflicts = (int?)saga.Conflicts,
        Action = saga.ResolutionAction,
        Reason = saga.ResolutionReason,
        By = saga.ResolvedBy,
        RequestedAt = saga.ResolutionRequestedAt,
        ResolvedAt = saga.ResolvedAt,
    };

    static readonly Func<ConflictState, DecisionState> DecisionOfSaga = Decision.Compile();

    public IReadOnlyList<string> AllowedActions(Write write) => ResolutionPolicy.AllowedActions(write.Status, write.Operation, write.ErrorType);

    public IQueryable<DecisionState> Decisions => db.ConflictSagas.AsNoTracking().Select(Decision);

    /// <summary>What <paramref name="saga"/>, as it is in this transaction, says of its write.</summary>
    public static DecisionState? Of(ConflictState? saga) => saga is null ? null : DecisionOfSaga(saga);
}
