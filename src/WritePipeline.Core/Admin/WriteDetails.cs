using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Audit;
using WritePipeline.Clients;
using WritePipeline.Conflicts;
using WritePipeline.Data;
using WritePipeline.Records;
using WritePipeline.Webhooks;
using WritePipeline.Writes;
using WritePipeline.Writes.Detection;
using WritePipeline.Writes.Status;

namespace WritePipeline.Admin;

/// <summary>One moment in a write's life.</summary>
public sealed record TimelineEvent(DateTimeOffset At, string What, string? Detail, string? By);

/// <summary>A held write waiting behind this one.</summary>
public sealed record HeldWrite(Guid WriteId, string Operation, DateTimeOffset SubmittedAt, long? Position);

/// <summary>Everything an operator needs about one write to decide: what it wanted, what the record is, the difference, its story.</summary>
public sealed record WriteDetailsView(
    WriteStatusView Status,
    Guid ClientId,
    string? ClientName,
    string? SubmittedBody,
    long? IfMatchVersion,
    bool IfNoneMatchAny,
    long? RecordVersionNow,
    JsonNode? RecordNow,
    IReadOnlyList<DiffLine> Difference,
    IReadOnlyList<string> OperatorActions,
    IReadOnlyList<HeldWrite> HeldBehindIt,
    IReadOnlyList<TimelineEvent> Timeline);

/// <summary>Reads <see cref="WriteDetailsView"/> for the console's write page and <c>GET /v1/admin/writes/{id}/details</c>.</summary>
public sealed class WriteDetails(WritePipelineDbContext db, AuditLog audit, WriteStatusQuery statuses)
{
    public async Task<WriteDetailsView?> ReadAsync(Guid writeId, CancellationToken cancellationToken)
    {
        var status = await statuses.ReadAsync(writeId, null, cancellationToken);
        if (status is null)
        {
            return null;
        }

        var write = await db.Writes.AsNoTracking().SingleAsync(w => w.Id == writeId, cancellationToken);
        var saga = await db.ConflictSagas.AsNoTracking().SingleOrDefaultAsync(s => s.CorrelationId == writeId, cancellationToken);
        var client = await db.Clients.AsNoTracking().Where(c => c.Id == write.ClientId).Select(c => c.Name).SingleOrDefaultAsync(cancellationToken);
        var record = await db.Records.AsNoTracking().SingleOrDefaultAsync(r => r.Collection == write.Collection && r.Key == write.Key, cancellationToken);
        var held = await db.Writes.AsNoTracking().Where(w => w.HeldBehind == writeId && w.Status == WriteStatus.Held)
            .OrderBy(w => w.HeldPosition).Select(w => new HeldWrite(w.Id, w.Operation, w.SubmittedAt, w.HeldPosition)).ToListAsync(cancellationToken);
        var deliveries = await db.WebhookDeliveries.AsNoTracking().Where(d => d.WriteId == writeId).OrderBy(d => d.CreatedAt).ToListAsync(cancellationToken);
        var actions = await audit.ForWriteAsync(writeId, cancellationToken);

        // Side by side: the record as the conflict saw it against what the write would have made of it.
        var conflict = status.Conflict;
        var difference = conflict is null
            ? []
            : LineDiff.Compare(Pretty(conflict.Current.Document), Pretty(conflict.Attempted));

        return new WriteDetailsView(
            status,
            write.ClientId,
            client,
            write.Body is null ? null : Pretty(JsonNode.Parse(write.Body)),
            write.IfMatchVersion,
            write.IfNoneMatchAny,
            record?.Document is null ? null : record.Version,
            record?.Document is null ? null : JsonNode.Parse(record.Document),
            difference,
            ResolutionPolicy.OperatorActions(status.Status, write.Operation, status.Error?.Type, saga?.CurrentState),
            held,
            Timeline(write, saga, conflict, deliveries, actions));
    }

    static List<TimelineEvent> Timeline(Write write, ConflictState? saga, ConflictView? conflict, List<Webhooks.WebhookDelivery> deliveries, IReadOnlyList<AuditEntryView> actions)
    {
        var events = new List<TimelineEvent>
        {
            new(write.SubmittedAt, "accepted", $"{write.Operation} {write.Collection}/{write.Key}", "client:" + write.ClientId),
        };
        if (conflict is not null)
        {
            var attempts = saga?.Conflicts ?? 1;
            events.Add(new(conflict.DetectedAt, "conflict", $"{conflict.Type}: {conflict.Detail}" + (attempts > 1 ? $" (conflict {attempts}; earlier decisions conflicted again)" : string.Empty), null));
        }

        if (saga?.NotifiedAt is { } notified)
        {
            events.Add(new(notified, "notified", $"submitter has until {saga.DecisionDeadline:u} to decide", null));
        }

        if (saga?.ParkedAt is { } parked)
        {
            events.Add(new(parked, "parked", "waiting for an operator", null));
        }

        events.AddRange(deliveries.Select(d => new TimelineEvent(
            d.CreatedAt, "webhook " + d.EventType, $"{d.Status}, {d.Attempts} attempt(s)" + (d.LastStatusCode is { } code ? $", last HTTP {code}" : string.Empty), null)));

        // Decisions by submitters are on the saga; operators' (and their refusals) are in the audit log.
        if (saga?.ResolutionRequestedAt is { } requested && saga.ResolvedBy is { } by && !by.StartsWith(Operators.OperatorPrincipal.ActorPrefix, StringComparison.Ordinal))
        {
            events.Add(new(requested, "decision " + saga.ResolutionAction, saga.ResolutionReason, by));
        }

        events.AddRange(actions.Select(a => new TimelineEvent(a.At, a.Action + (a.Outcome == AuditOutcomes.Taken ? string.Empty : $" ({a.Outcome})"), a.Reason ?? a.Detail, a.Actor)));

        if (write.Status == WriteStatus.Failed && write.CompletedAt is { } failed)
        {
            events.Add(new(failed, "failed", write.ErrorDetail, null));
        }

        if (write.Status is WriteStatus.Applied or WriteStatus.Discarded && write.CompletedAt is { } done)
        {
            events.Add(new(done, write.Status, write.Status == WriteStatus.Applied ? $"version {write.Version}" : saga?.ResolutionReason, null));
        }

        return [.. events.OrderBy(e => e.At)];
    }

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    static string? Pretty(JsonNode? node) => node?.ToJsonString(Indented);
}
