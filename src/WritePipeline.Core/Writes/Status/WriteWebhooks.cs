using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WritePipeline.Data;
using WritePipeline.Json;
using WritePipeline.Webhooks;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Writes.Status;

/// <summary>
/// Records the webhook deliveries a write's event owes its client, in the caller's unit of work. A webhook's data is
/// the write's status resource as its client sees it (<see cref="WriteStatusView"/>), with its links.
/// </summary>
public sealed class WriteWebhooks(WritePipelineDbContext db, WebhookOutbox outbox, IWriteDecisions decisions, IOptions<WebhookOptions> options) : IWriteWebhooks
{
    static JsonSerializerOptions Json => ReadableJson.Options;

    public Task<IReadOnlyList<WebhookDelivery>> RecordAsync(string eventType, Write write, CancellationToken cancellationToken) =>
        RecordAsync(eventType, write, null, null, cancellationToken);

    /// <summary>A conflicted write's event: its status shows the conflict and, once decided, the saga's decision.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> RecordAsync(
        string eventType, Write write, WriteConflict? conflict, DecisionState? decision, CancellationToken cancellationToken)
    {
        if (!await outbox.HasSubscriberAsync(write.ClientId, eventType, cancellationToken))
        {
            return [];
        }

        var blockerClientId = write.HeldBehind is { } blocker
            ? await db.Writes.AsNoTracking().Where(w => w.Id == blocker).Select(w => (Guid?)w.ClientId).FirstOrDefaultAsync(cancellationToken)
            : null;
        var status = WriteStatusView.For(write, conflict, decision, decisions.AllowedActions(write), blockerClientId, StatusAudience.Client);
        var data = JsonSerializer.SerializeToNode(status, Json)!.AsObject();
        var link = (options.Value.PublicBaseUrl?.TrimEnd('/') ?? string.Empty) + WriteReceipt.StatusPath(write.Id);
        data["links"] = new JsonObject
        {
            ["status"] = link,
            ["resolution"] = link + "/resolution",
        };
        return await outbox.AddAsync(new WebhookEvent(eventType, write.ClientId, write.Id, decision?.Conflicts, data), cancellationToken);
    }
}
