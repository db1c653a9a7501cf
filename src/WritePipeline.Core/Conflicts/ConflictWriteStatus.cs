using WritePipeline.Writes;

namespace WritePipeline.Conflicts;

/// <summary>The write moved on while a decision about it was being taken; the decision is tried again against its new state.</summary>
public sealed class WriteMovedException(Guid writeId) : Exception($"Write {writeId} changed status while a decision was being taken.");

/// <summary>
/// The one place that says which status a conflicted write shows for its saga's state, and from which statuses the
/// write may get there. Run on every change of the saga's state (<see cref="SagaActivities.FollowSagaState"/>), in the
/// saga's transaction, so the status the API shows never disagrees with the saga.
/// </summary>
public sealed class ConflictWriteStatus(ConflictWrites writes)
{
    /// <summary>
    /// Entering <paramref name="Into"/> (from <paramref name="Out"/>, or from any state when null), a write in one of
    /// <paramref name="From"/> goes <paramref name="To"/>. A guarded move was decided against the write as it is in this
    /// transaction (a decision, a restore), so a write elsewhere moved meanwhile and the message is tried again. An
    /// unguarded one follows an event about the write (a conflict handed over, a deadline, a failed notification) that
    /// may come late: a write that is no longer conflicted or notified is left as it is.
    /// </summary>
    sealed record Move(string Into, string? Out, string To, string[] From, bool Guarded);

    // The saga's Applied, Discarded and Failed have no move: the partition ended the write so, in the transaction that
    // sent WriteResolved, before the saga heard of it.
    static readonly Move[] Moves =
    [
        new(nameof(ConflictStateMachine.Notified), null, WriteStatus.Notified, [WriteStatus.Conflicted], Guarded: false),
        new(nameof(ConflictStateMachine.Parked), nameof(ConflictStateMachine.Discarded), WriteStatus.Parked, [WriteStatus.Discarded], Guarded: true),
        new(nameof(ConflictStateMachine.Parked), null, WriteStatus.Parked, [WriteStatus.Conflicted, WriteStatus.Notified], Guarded: false),
        new(nameof(ConflictStateMachine.Resolving), null, WriteStatus.Resolving, [WriteStatus.Parked, WriteStatus.Notified], Guarded: true),
    ];

    /// <summary>Moves the saga's write as the saga went from <paramref name="fromState"/> to <paramref name="toState"/>.</summary>
    /// <exception cref="WriteMovedException">The move was guarded and the write is not where the saga left it.</exception>
    public async Task FollowAsync(ConflictState saga, string fromState, string toState, CancellationToken cancellationToken)
    {
        var move = Array.Find(Moves, m => m.Into == toState && (m.Out is null || m.Out == fromState));
        if (move is null)
        {
            return;
        }

        var write = await writes.FindAsync(saga.CorrelationId, cancellationToken);
        if (write is null || !move.From.Contains(write.Status))
        {
            if (move.Guarded)
            {
                throw new WriteMovedException(saga.CorrelationId);
            }

            return;
        }

        await writes.MoveAsync(write, move.To, cancellationToken);
    }
}
