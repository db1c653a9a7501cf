using System.Text.Json;
using System.Text.Json.Nodes;
using WritePipeline.Collections;
using WritePipeline.Contracts;
using WritePipeline.Json;
using WritePipeline.Records;

namespace WritePipeline.Writes;

/// <summary>What applying a write to the current record means: the new document, a conflict, or a failure.</summary>
public abstract record WriteDecision
{
    WriteDecision()
    {
    }

    /// <summary>Apply: the record's next version holds <see cref="Document"/> (null deletes it).</summary>
    public sealed record Apply(string? Document) : WriteDecision;

    /// <summary>
    /// Not applied: the write is valid but its precondition, the record's state or a declared constraint says no.
    /// <see cref="Subject"/> says what the conflict is about when the kind alone does not (which field, which record).
    /// </summary>
    public sealed record Conflict(string Type, string Detail, JsonObject? Subject = null) : WriteDecision;

    /// <summary>Not applied: the write itself cannot be processed.</summary>
    public sealed record Failure(string Type, string Detail) : WriteDecision;
}

/// <summary>The pure rules of applying one write to the current state of its record.</summary>
public static class WriteRules
{
    /// <param name="write">The write.</param>
    /// <param name="current">Its record as it is now (null when it never existed).</param>
    /// <param name="schema">
    /// The collection's schema: what the write would store must satisfy it, whichever path applies the write (a merge
    /// patch is checked on the merged document; a replace again, since the schema in force may have changed since the
    /// API checked it). Null when the collection declares none.
    /// </param>
    public static WriteDecision Decide(ApplyWrite write, Record? current, CollectionSchema? schema = null)
    {
        if (!WriteOperations.IsKnown(write.Operation))
        {
            return new WriteDecision.Failure(WriteErrors.UnknownOperation, $"Unknown operation '{write.Operation}'.");
        }

        var exists = current is { Exists: true };
        if (write.IfNoneMatchAny && exists)
        {
            return new WriteDecision.Conflict(WriteErrors.AlreadyExists, $"If-None-Match: * but the record exists at version {current!.Version}.");
        }

        if (write.IfMatchVersion is { } expected && (!exists || current!.Version != expected))
        {
            var actual = exists ? $"is at version {current!.Version}" : "does not exist";
            return new WriteDecision.Conflict(WriteErrors.VersionMismatch, $"If-Match named version {expected} but the record {actual}.");
        }

        switch (write.Operation)
        {
            case WriteOperations.Replace:
                return ParseObject(write.Body) is { } document
                    ? Checked(document, schema)
                    : InvalidBody("The document must be a JSON object.");

            case WriteOperations.Patch:
                if (!exists)
                {
                    return NotFound(write);
                }

                if (ParseObject(write.Body) is not { } patch)
                {
                    return InvalidBody("The merge patch must be a JSON object.");
                }

                return Checked(MergePatch.Apply(JsonNode.Parse(current!.Document!), patch)!, schema);

            default: // delete
                return exists ? new WriteDecision.Apply(null) : NotFound(write);
        }
    }

    static WriteDecision.Conflict NotFound(ApplyWrite write) =>
        new WriteDecision.Conflict(WriteErrors.NotFound, $"Cannot {write.Operation} '{write.Collection}/{write.Key}': the record does not exist.");

    /// <summary>Apply <paramref name="document"/>, or fail the write with every place where it breaks the schema; the record stays as it is.</summary>
    static WriteDecision Checked(JsonNode document, CollectionSchema? schema) =>
        schema?.Validate(document) is { Count: > 0 } violations
            ? new WriteDecision.Failure(WriteErrors.SchemaViolation, CollectionSchema.Describe(violations))
            : new WriteDecision.Apply(document.ToReadableJson());

    static WriteDecision.Failure InvalidBody(string detail) => new WriteDecision.Failure(WriteErrors.InvalidBody, detail);

    static JsonObject? ParseObject(string? body)
    {
        if (body is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
