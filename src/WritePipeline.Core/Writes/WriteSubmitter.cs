using Microsoft.Extensions.Logging;
using WritePipeline.Contracts;
using WritePipeline.Partitioning;

namespace WritePipeline.Writes;

/// <summary>The outcome of a submission, as the API turns it into a response.</summary>
public abstract record SubmitResult
{
    SubmitResult()
    {
    }

    /// <summary>On the broker (<see cref="WriteReceipt.Replayed"/> when this answers a repeat of an earlier request).</summary>
    public sealed record Accepted(WriteReceipt Receipt) : SubmitResult;

    public sealed record IdempotencyMismatch(string IdempotencyKey) : SubmitResult;

    /// <summary>The broker did not confirm the write: it may or may not be on the broker.</summary>
    public sealed record BrokerUnavailable(string Detail) : SubmitResult;

    /// <summary>The write's partition has more waiting than <see cref="ApiOptions.MaxPartitionBacklog"/>; nothing was sent.</summary>
    public sealed record BacklogFull(int Partition) : SubmitResult;
}

/// <summary>
/// Accepts a write with one durable act: the broker's confirm of its message. Nothing is written to the database: the
/// write's id carries its submission time (<see cref="WriteIds"/>), and the worker records the write when it first
/// takes it. A repeat of an Idempotency-Key is answered from what this process accepted (<see cref="AcceptedKeys"/>) or
/// what a worker recorded (<see cref="RecordedKeys"/>, when the database answers in time), and otherwise sent as a new
/// id that the worker makes a duplicate of the key's holder (<see cref="KeyClaim"/>): at most one write per key is
/// ever applied, whatever the database is doing.
/// </summary>
public sealed class WriteSubmitter(
    WriteIds ids,
    AcceptedKeys accepted,
    RecordedKeys recorded,
    WriteDispatcher dispatcher,
    PartitionMap partitions,
    PartitionBacklog backlog,
    Telemetry.PipelineMeter meter,
    ILogger<WriteSubmitter> logger)
{
    public async Task<SubmitResult> SubmitAsync(Guid clientId, WriteRequest request, CancellationToken cancellationToken)
    {
        var key = request.IdempotencyKey;
        var fingerprint = key is null ? null : request.Fingerprint();
        if (key is not null && accepted.Find(clientId, key) is { } remembered)
        {
            return await RepeatAsync(clientId, request, remembered, fingerprint!);
        }

        var (id, submittedAt) = ids.Next(clientId);
        var partition = partitions.PartitionOf(request.Collection, request.Key);
        if (key is not null && await recorded.FindAsync(clientId, key, submittedAt, cancellationToken) is (true, { } holder))
        {
            if (holder.RequestHash != fingerprint)
            {
                return new SubmitResult.IdempotencyMismatch(key);
            }

            // A row still queued (left by an older version, or an operator's retry on its way) may have no message:
            // sent again under its id, as a repeat of an unconfirmed write is.
            return holder.Status == WriteStatus.Queued
                ? await SendAsync(MessageOf(clientId, request, holder.WriteId, holder.SubmittedAt, fingerprint), partition, replayed: true)
                : new SubmitResult.Accepted(new WriteReceipt(holder.WriteId, WriteStatus.Queued, holder.Collection, holder.Key, holder.Operation, holder.SubmittedAt, Replayed: true));
        }

        if (backlog.IsFull(partition))
        {
            // Not remembered: nothing was sent, so a retry is a new attempt, held to the backlog again.
            return new SubmitResult.BacklogFull(partition);
        }

        if (key is not null)
        {
            var write = new AcceptedKeys.Accepted(clientId, key, id, submittedAt, fingerprint!, partition);
            if (accepted.AddOrFind(write) is var first && first != write)
            {
                // Another request of this key in this process got there first: answer as its repeat.
                return await RepeatAsync(clientId, request, first, fingerprint!);
            }

            return Counted(await SendAsync(MessageOf(clientId, request, id, submittedAt, fingerprint), partition, replayed: false, write), request);
        }

        return Counted(await SendAsync(MessageOf(clientId, request, id, submittedAt, null), partition, replayed: false), request);
    }

    /// <summary>
    /// A repeat of a write this process accepted: the first answer when the broker confirmed it, else the write sent
    /// again (same id, same submission time, the repeat's own body, which its fingerprint shows is the same: the worker
    /// applies an id once, whatever the number of copies, and the write keeps the place its first copy took, if it got there).
    /// </summary>
    async Task<SubmitResult> RepeatAsync(Guid clientId, WriteRequest request, AcceptedKeys.Accepted first, string fingerprint)
    {
        if (first.RequestHash != fingerprint)
        {
            return new SubmitResult.IdempotencyMismatch(first.IdempotencyKey);
        }

        var message = MessageOf(clientId, request, first.WriteId, first.SubmittedAt, fingerprint);
        return first.Confirmed ? new SubmitResult.Accepted(ReceiptOf(message, replayed: true)) : await SendAsync(message, first.Partition, replayed: true, first);
    }

    SubmitResult Counted(SubmitResult result, WriteRequest request)
    {
        if (result is SubmitResult.Accepted)
        {
            meter.Accepted(request.Collection, request.Operation);
        }

        return result;
    }

    /// <param name="message">The write.</param>
    /// <param name="partition">Its partition.</param>
    /// <param name="replayed">Whether this answers a repeat.</param>
    /// <param name="remembered">The key's entry, marked confirmed once the broker has confirmed.</param>
    async Task<SubmitResult> SendAsync(ApplyWrite message, int partition, bool replayed, AcceptedKeys.Accepted? remembered = null)
    {
        try
        {
            await dispatcher.SendAsync(message, partition);
            remembered?.Confirm();
            return new SubmitResult.Accepted(ReceiptOf(message, replayed));
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "The broker did not confirm write {WriteId} to {Collection}/{Key} on partition {Partition}", message.WriteId, message.Collection, message.Key, partition);
            meter.Rejected(message.Collection, message.Operation, "broker_unavailable");
            var why = ex is OperationCanceledException ? "did not confirm the write in time" : "refused or could not take the write";
            var retry = message.IdempotencyKey is null
                ? "Without an Idempotency-Key a retry may make it a second write."
                : "Retry with the same Idempotency-Key, before sending the next write to this record: the retry converges on exactly one write.";
            return new SubmitResult.BrokerUnavailable($"The broker {why}, so it may or may not be on the broker. {retry}");
        }
    }

    static ApplyWrite MessageOf(Guid clientId, WriteRequest request, Guid id, DateTimeOffset submittedAt, string? fingerprint) => new()
    {
        WriteId = id,
        ClientId = clientId,
        Collection = request.Collection,
        Key = request.Key,
        Operation = request.Operation,
        Body = request.Body,
        IfMatchVersion = request.IfMatchVersion,
        IfNoneMatchAny = request.IfNoneMatchAny,
        SubmittedAt = submittedAt,
        IdempotencyKey = request.IdempotencyKey,
        RequestHash = fingerprint,
    };

    static WriteReceipt ReceiptOf(ApplyWrite message, bool replayed) =>
        new(message.WriteId, WriteStatus.Queued, message.Collection, message.Key, message.Operation, message.SubmittedAt, replayed);
}
