using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WritePipeline.Data;
using WritePipeline.Partitioning;

namespace WritePipeline.Writes;

/// <summary>The outcome of a submission, as the API turns it into a response.</summary>
public abstract record SubmitResult
{
    SubmitResult()
    {
    }

    /// <summary>On the broker; <see cref="Replayed"/> when this answers a repeat of an earlier request.</summary>
    public sealed record Accepted(WriteReceipt Receipt, bool Replayed) : SubmitResult;

    public sealed record IdempotencyMismatch(string IdempotencyKey) : SubmitResult;

    /// <summary>The broker did not confirm the write; nothing was accepted.</summary>
    public sealed record BrokerUnavailable(string Detail) : SubmitResult;

    /// <summary>The write could not be recorded (database unreachable or overloaded); nothing was accepted.</summary>
    public sealed record DatabaseUnavailable(string Detail) : SubmitResult;

    /// <summary>The write's partition has more waiting than <see cref="ApiOptions.MaxPartitionBacklog"/>; nothing was accepted.</summary>
    public sealed record BacklogFull(int Partition) : SubmitResult;
}

/// <summary>
/// Accepts a write: records it (status <c>queued</c>, by group commit: <see cref="WriteRecorder"/>), sends it to its
/// partition, and answers only after the broker's confirmation. Recording first means a write on the broker always has a status to show, and an
/// Idempotency-Key is claimed by the database's unique index, race-free.
/// </summary>
public sealed class WriteSubmitter(
    WritePipelineDbContext db,
    WriteRecorder recorder,
    WriteDispatcher dispatcher,
    PartitionMap partitions,
    PartitionBacklog backlog,
    Telemetry.PipelineMeter meter,
    TimeProvider clock,
    ILogger<WriteSubmitter> logger)
{
    public async Task<SubmitResult> SubmitAsync(Guid clientId, WriteRequest request, CancellationToken cancellationToken)
    {
        SubmitResult result;
        try
        {
            result = await RecordAndDispatchAsync(clientId, request, cancellationToken);
        }
        catch (Exception ex) when (TransientFailures.IsTransient(ex))
        {
            logger.LogWarning(ex, "Could not record a write to {Collection}/{Key}", request.Collection, request.Key);
            result = new SubmitResult.DatabaseUnavailable("The write could not be recorded. Nothing was accepted; retry the request (with the same Idempotency-Key).");
        }

        if (result is SubmitResult.Accepted { Replayed: false })
        {
            meter.Accepted(request.Collection, request.Operation);
        }

        return result;
    }

    async Task<SubmitResult> RecordAndDispatchAsync(Guid clientId, WriteRequest request, CancellationToken cancellationToken)
    {
        if (request.IdempotencyKey is { } idempotencyKey
            && await FindByIdempotencyKeyAsync(clientId, idempotencyKey, cancellationToken) is { } earlier)
        {
            return await ReplayAsync(earlier, request);
        }

        var partition = partitions.PartitionOf(request.Collection, request.Key);
        if (backlog.IsFull(partition))
        {
            return new SubmitResult.BacklogFull(partition);
        }

        var write = new Write
        {
            Id = Guid.CreateVersion7(),
            ClientId = clientId,
            Collection = request.Collection,
            Key = request.Key,
            Partition = partition,
            Operation = request.Operation,
            Body = request.Body,
            IfMatchVersion = request.IfMatchVersion,
            IfNoneMatchAny = request.IfNoneMatchAny,
            Status = WriteStatus.Queued,
            SubmittedAt = TruncateToStoredPrecision(clock.GetUtcNow()),
            IdempotencyKey = request.IdempotencyKey,
            RequestHash = request.IdempotencyKey is null ? null : request.Fingerprint(),
        };
        try
        {
            // Recorded with the submissions arriving alongside it, in one INSERT (group commit).
            await recorder.RecordAsync(write);
        }
        catch (DbUpdateException) when (request.IdempotencyKey is not null)
        {
            // Most likely a concurrent request with the same Idempotency-Key recorded its write first: answer as its
            // repeat. If there is no such write, the failure was something else and is rethrown.
            var winner = await FindByIdempotencyKeyAsync(clientId, request.IdempotencyKey, cancellationToken);
            if (winner is null)
            {
                throw;
            }

            return await ReplayAsync(winner, request);
        }

        return await DispatchAsync(write, replayed: false);
    }

    async Task<SubmitResult> ReplayAsync(Write earlier, WriteRequest request)
    {
        if (earlier.RequestHash != request.Fingerprint())
        {
            return new SubmitResult.IdempotencyMismatch(request.IdempotencyKey!);
        }

        if (earlier.Status is WriteStatus.Queued or WriteStatus.Rejected)
        {
            // We cannot tell whether the first attempt reached the broker (its process may have died between
            // recording and sending, or the broker did not confirm), so send it again under the same id: the
            // worker applies a write id once, whatever the number of copies.
            if (earlier.Status == WriteStatus.Rejected)
            {
                earlier.Status = WriteStatus.Queued;
                await db.SaveChangesAsync(CancellationToken.None);
            }

            return await DispatchAsync(earlier, replayed: true);
        }

        return new SubmitResult.Accepted(WriteReceipt.For(earlier), Replayed: true);
    }

    async Task<SubmitResult> DispatchAsync(Write write, bool replayed)
    {
        try
        {
            await dispatcher.SendAsync(write.ToMessage(), write.Partition);
            return new SubmitResult.Accepted(WriteReceipt.For(write), replayed);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "The broker did not confirm write {WriteId} to {Collection}/{Key} on partition {Partition}", write.Id, write.Collection, write.Key, write.Partition);
            return await RejectAsync(write, ex);
        }
    }

    async Task<SubmitResult> RejectAsync(Write write, Exception reason)
    {
        // Conditional: if a worker already moved the write on, the broker did have it after all and it stands.
        var rejected = await db.Writes
            .Where(w => w.Id == write.Id && w.Status == WriteStatus.Queued)
            .ExecuteUpdateAsync(update => update.SetProperty(w => w.Status, WriteStatus.Rejected), CancellationToken.None);
        if (rejected == 0)
        {
            return new SubmitResult.Accepted(WriteReceipt.For(write), Replayed: false);
        }

        meter.Rejected(write.Collection, write.Operation, "broker_unavailable");

        var detail = reason is OperationCanceledException
            ? "The broker did not confirm the write in time. Nothing was accepted; retry the request (with the same Idempotency-Key)."
            : "The broker refused or could not take the write. Nothing was accepted; retry the request (with the same Idempotency-Key).";
        return new SubmitResult.BrokerUnavailable(detail);
    }

    /// <summary>
    /// To the coarsest precision a provider keeps (SQLite's numeric timestamps: 100 µs; PostgreSQL: 1 µs), so that a
    /// receipt, the status resource and a receipt replayed from the database all show the same time.
    /// </summary>
    static DateTimeOffset TruncateToStoredPrecision(DateTimeOffset time) =>
        new(time.Ticks - (time.Ticks % StoredPrecisionTicks), time.Offset);

    const long StoredPrecisionTicks = 100 * TimeSpan.TicksPerMicrosecond;

    Task<Write?> FindByIdempotencyKeyAsync(Guid clientId, string idempotencyKey, CancellationToken cancellationToken) =>
        db.Writes.SingleOrDefaultAsync(w => w.ClientId == clientId && w.IdempotencyKey == idempotencyKey, cancellationToken);
}
