using System.Text.Json.Nodes;
using WritePipeline.Audit;
using WritePipeline.Json;

namespace WritePipeline.Writes;

/// <summary>How an action on a write is written in the audit log, wherever it is taken (the API, the conflict saga).</summary>
public static class AuditEntries
{
    /// <summary>
    /// <paramref name="action"/> on <paramref name="write"/> as it was (<paramref name="statusBefore"/>, its submitted
    /// document), moving it to <paramref name="statusAfter"/> (with <paramref name="documentAfter"/> for an edit).
    /// </summary>
    public static AuditEntry ForWrite(
        Write write, string statusBefore, string action, string outcome, string actor, string? reason, string? detail, string statusAfter, string? documentAfter) => new()
    {
        Actor = actor,
        Action = action,
        WriteId = write.Id,
        Subject = $"{write.Collection}/{write.Key}",
        Outcome = outcome,
        Detail = detail,
        Reason = reason,
        Before = State(statusBefore, write.Body),
        After = State(statusAfter, documentAfter),
    };

    static string State(string status, string? document) =>
        new JsonObject { ["status"] = status, ["document"] = document is null ? null : JsonNode.Parse(document) }.ToReadableJson();
}
