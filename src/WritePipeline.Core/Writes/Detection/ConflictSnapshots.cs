using System.Text.Json;
using System.Text.Json.Nodes;
using WritePipeline.Contracts;
using WritePipeline.Json;
using WritePipeline.Records;

namespace WritePipeline.Writes.Detection;

/// <summary>Builds the record of a conflict from the write, the record as it is now, and the decision.</summary>
public static class ConflictSnapshots
{
    static JsonSerializerOptions Json => ReadableJson.Options;

    public static WriteConflict Capture(ApplyWrite write, Record? current, WriteDecision.Conflict conflict, DateTimeOffset at)
    {
        var currentDocument = current?.Document;
        var attempted = Attempted(write, currentDocument);
        var changes = DocumentDiff.Between(currentDocument is null ? null : JsonNode.Parse(currentDocument), attempted is null ? null : JsonNode.Parse(attempted));
        return new WriteConflict
        {
            WriteId = write.WriteId,
            ConflictId = Guid.CreateVersion7(at),
            Type = conflict.Type,
            Detail = WriteErrors.Cut(conflict.Detail),
            DetectedAt = at,
            CurrentVersion = current?.Version,
            CurrentDocument = currentDocument,
            BasedOnVersion = write.IfMatchVersion,
            AttemptedDocument = attempted,
            Changes = JsonSerializer.Serialize(changes, Json),
            Subject = conflict.Subject?.ToReadableJson(),
        };
    }

    /// <summary>
    /// What the write would make of the record: the document of a replace, a patch applied to the current document,
    /// nothing for a delete, nor for a body that is not JSON (a failed precondition is decided before the body is read).
    /// </summary>
    public static string? Attempted(ApplyWrite write, string? currentDocument)
    {
        try
        {
            return write.Operation switch
            {
                WriteOperations.Replace when write.Body is not null => JsonNode.Parse(write.Body) is null ? null : write.Body,
                WriteOperations.Patch when write.Body is not null =>
                    MergePatch.Apply(currentDocument is null ? new JsonObject() : JsonNode.Parse(currentDocument), JsonNode.Parse(write.Body))?.ToReadableJson(),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
