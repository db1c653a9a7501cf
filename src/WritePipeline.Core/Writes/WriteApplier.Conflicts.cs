using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WritePipeline.Contracts;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Writes;

/// <summary>Recording a conflict: the snapshot a person decides on, naming who holds a unique value the write claimed.</summary>
public sealed partial class WriteApplier
{
    /// <summary>
    /// Records the conflict against the record as it is now: nothing of the write's own attempt remains (it was
    /// rolled back), so what a person sees is exactly what the write would have overwritten.
    /// </summary>
    async Task<ApplyResult> RecordConflictAsync(ApplyWrite message, int partition, string expectedStatus, WriteDecision.Conflict conflict, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var write = await LoadExpectedAsync(message, partition, expectedStatus, cancellationToken);
        if (!WriteTurn.IsInTurn(write, expectedStatus))
        {
            return await SkippedAsync(write, cancellationToken);
        }

        TakeDecidedBody(write, message, expectedStatus);
        if (conflict.Type == WriteErrors.UniqueViolation)
        {
            conflict = await NameUniqueValueHolderAsync(message, conflict, cancellationToken);
        }

        var record = await LoadRecordAsync(message, cancellationToken);
        var now = clock.GetUtcNow();
        await db.WriteConflicts.Where(c => c.WriteId == message.WriteId).ExecuteDeleteAsync(cancellationToken);
        var snapshot = ConflictSnapshots.Capture(message, record, conflict, now);
        db.WriteConflicts.Add(snapshot);
        write.MarkConflicted(conflict.Type, conflict.Detail, now);
        if (collections.HoldsOnConflict(message.Collection))
        {
            await HoldKeyBehindAsync(write, now, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Write conflicted: {ConflictType}: {ConflictDetail}", conflict.Type, conflict.Detail);
        return new ApplyResult(ApplyOutcome.Conflicted, write, snapshot);
    }

    async Task<WriteDecision.Conflict> NameUniqueValueHolderAsync(ApplyWrite message, WriteDecision.Conflict conflict, CancellationToken cancellationToken)
    {
        foreach (var claimed in conflict.Subject?["claimed"]?.AsArray() ?? [])
        {
            var field = claimed!["field"]!.GetValue<string>();
            var value = claimed["value"]!.GetValue<string>();
            var holder = await db.UniqueValues.AsNoTracking()
                .Where(u => u.Collection == message.Collection && u.Field == field && u.Value == value && u.Key != message.Key)
                .Select(u => u.Key)
                .FirstOrDefaultAsync(cancellationToken);
            if (holder is not null)
            {
                return conflict with
                {
                    Detail = $"'{field}' = {value} is already held by '{message.Collection}/{holder}'.",
                    Subject = new JsonObject { ["field"] = field, ["value"] = value, ["heldBy"] = holder },
                };
            }
        }

        // The holder let go of the value meanwhile: the conflict stands as detected (a retry may now succeed).
        return conflict;
    }
}
