using System.Text.Json.Nodes;

namespace WritePipeline.Writes.Detection;

/// <summary>The record as it was when the conflict was detected.</summary>
public sealed record CurrentRecordView(long? Version, JsonNode? Document);

/// <summary>A conflict as clients, webhooks and operators see it.</summary>
public sealed record ConflictView(
    string Type,
    string Detail,
    DateTimeOffset DetectedAt,
    CurrentRecordView Current,
    long? BasedOnVersion,
    JsonNode? Attempted,
    JsonNode? Changes,
    JsonNode? Subject)
{
    public static ConflictView For(WriteConflict conflict) => new(
        conflict.Type,
        conflict.Detail,
        conflict.DetectedAt,
        new CurrentRecordView(conflict.CurrentVersion, Parse(conflict.CurrentDocument)),
        conflict.BasedOnVersion,
        Parse(conflict.AttemptedDocument),
        Parse(conflict.Changes),
        Parse(conflict.Subject));

    static JsonNode? Parse(string? json) => json is null ? null : JsonNode.Parse(json);
}
