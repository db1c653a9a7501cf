using System.Text.Json;
using System.Text.Json.Nodes;
using WritePipeline.Conflicts;
using WritePipeline.Json;
using WritePipeline.Writes;

namespace WritePipeline.Webhooks;

/// <summary>The body of a webhook: <c>{type, timestamp, data}</c>, data being the write's status resource as its client sees it, and its links.</summary>
public static class WebhookPayloads
{
    static JsonSerializerOptions Json => ReadableJson.Options;

    public static string For(string eventType, Write write, WriteConflict? conflict, ConflictState? saga, Guid? blockerClientId, DateTimeOffset at, string? publicBaseUrl)
    {
        var status = WriteStatusView.For(write, conflict, saga, blockerClientId, StatusAudience.Client);
        var data = JsonSerializer.SerializeToNode(status, Json)!.AsObject();
        var link = (publicBaseUrl?.TrimEnd('/') ?? string.Empty) + WriteStatusQuery.StatusPath(write.Id);
        data["links"] = new JsonObject
        {
            ["status"] = link,
            ["resolution"] = link + "/resolution",
        };
        return new JsonObject
        {
            ["type"] = eventType,
            ["timestamp"] = at.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["data"] = data,
        }.ToReadableJson();
    }
}
