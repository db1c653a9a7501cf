using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Collections;
using WritePipeline.Data;
using WritePipeline.Records;

namespace WritePipeline.Writes.Detection;

/// <summary>
/// Enforces a collection's declared unique fields and references in the database, inside the transaction that
/// applies a write, after the record change has been saved. Nothing here reads and then decides: every check is a
/// statement the database itself makes atomic, so two writes racing from different partitions or workers cannot
/// both pass.
/// <list type="bullet">
/// <item>A unique value is claimed by inserting it under a primary key; the loser of a race gets a unique violation.</item>
/// <item>A reference is taken by incrementing the target's reference count only while the target exists; a delete
/// of the target re-reads that count after it has locked the row with its own update. Whichever commits second
/// sees the first.</item>
/// </list>
/// Returns the conflict, or null when the write may commit. After a conflict the transaction must be rolled back.
/// </summary>
public sealed class ConstraintEnforcer(WritePipelineDbContext db, CollectionCatalog collections)
{
    public async Task<WriteDecision.Conflict?> EnforceAsync(Record record, string? previousDocument, CancellationToken cancellationToken)
    {
        if (!collections.TryGet(record.Collection, out var collection))
        {
            return null;
        }

        if (collection.UniqueFields.Count == 0 && collection.References.Count == 0)
        {
            return await CheckStillReferencedAsync(record, cancellationToken);
        }

        // Each document is read once for all of its declared fields.
        var before = Parse(previousDocument);
        var after = Parse(record.Document);
        return await TakeReferencesAsync(collection, before, after, cancellationToken)
            ?? await CheckStillReferencedAsync(record, cancellationToken)
            ?? await ClaimUniqueValuesAsync(collection, record, before, after, cancellationToken);
    }

    /// <summary>
    /// Whether enforcing a change of a record of <paramref name="collectionName"/> from <paramref name="previousDocument"/>
    /// to <paramref name="document"/> would leave the database alone: no reference taken or let go, no unique value
    /// claimed or released, and not a delete (whose references must be counted). Such a change can be applied with
    /// others in a batch; any other goes through <see cref="EnforceAsync"/>.
    /// </summary>
    public static bool HasNothingToEnforce(CollectionCatalog collections, string collectionName, string? previousDocument, string? document)
    {
        if (!collections.TryGet(collectionName, out var collection))
        {
            return true;
        }

        if (document is null)
        {
            return false;
        }

        if (collection.UniqueFields.Count == 0 && collection.References.Count == 0)
        {
            return true;
        }

        if (NamesNoDeclaredField(collection, previousDocument) && NamesNoDeclaredField(collection, document))
        {
            return true;
        }

        var before = Parse(previousDocument);
        var after = Parse(document);
        var referencesBefore = DocumentConstraints.ReferencesOf(collection, before);
        var referencesAfter = DocumentConstraints.ReferencesOf(collection, after);
        return referencesBefore.Count == referencesAfter.Count
            && referencesAfter.All(a => referencesBefore.Any(b => SameTarget(a, b)))
            && DocumentConstraints.UniqueValuesOf(collection, before).ToHashSet().SetEquals(DocumentConstraints.UniqueValuesOf(collection, after));
    }

    /// <summary>
    /// Whether a document's text shows, without parsing it, that it holds no value at any declared field: documents are
    /// objects, so a value at a pointer needs the pointer's first segment as a member name, quoted in the text, unless
    /// the text escapes characters (then it is parsed).
    /// </summary>
    static bool NamesNoDeclaredField(CollectionOptions collection, string? document)
    {
        if (document is null)
        {
            return true;
        }

        if (document.Contains('\\', StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var pointer in collection.UniqueFields.Concat(collection.References.Keys))
        {
            var segments = pointer.Split('/');
            if (segments.Length < 2 || segments[0].Length != 0
                || document.Contains('"' + segments[1].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal) + '"', StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    static JsonNode? Parse(string? document) => document is null ? null : JsonNode.Parse(document);

    async Task<WriteDecision.Conflict?> TakeReferencesAsync(
        CollectionOptions collection, JsonNode? previousDocument, JsonNode? document, CancellationToken cancellationToken)
    {
        var before = DocumentConstraints.ReferencesOf(collection, previousDocument);
        var after = DocumentConstraints.ReferencesOf(collection, document);

        foreach (var reference in after.Where(r => !before.Any(b => SameTarget(b, r))))
        {
            var taken = reference.Key is not null && await db.Records
                .Where(r => r.Collection == reference.Collection && r.Key == reference.Key && r.Document != null)
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.ReferenceCount, r => r.ReferenceCount + 1), cancellationToken) == 1;
            if (!taken)
            {
                return new WriteDecision.Conflict(
                    WriteErrors.MissingReference,
                    $"'{reference.Field}' refers to '{reference.Collection}/{reference.Key ?? reference.RawValue}', which does not exist.",
                    new JsonObject
                    {
                        ["field"] = reference.Field,
                        ["collection"] = reference.Collection,
                        ["key"] = reference.Key ?? reference.RawValue,
                    });
            }
        }

        foreach (var reference in before.Where(b => b.Key is not null && !after.Any(a => SameTarget(a, b))))
        {
            await db.Records
                .Where(r => r.Collection == reference.Collection && r.Key == reference.Key && r.ReferenceCount > 0)
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.ReferenceCount, r => r.ReferenceCount - 1), cancellationToken);
        }

        return null;
    }

    async Task<WriteDecision.Conflict?> CheckStillReferencedAsync(Record record, CancellationToken cancellationToken)
    {
        if (record.Exists)
        {
            return null;
        }

        // Read after our own update locked the row: a reference taken before that is counted here, and one
        // attempted after it waits for us and then finds the record gone.
        var referencedBy = await db.Records.Where(r => r.Id == record.Id).Select(r => r.ReferenceCount).SingleAsync(cancellationToken);
        return referencedBy == 0
            ? null
            : new WriteDecision.Conflict(
                WriteErrors.StillReferenced,
                $"'{record.Collection}/{record.Key}' is still referenced by {referencedBy} record(s).",
                new JsonObject { ["referencedBy"] = referencedBy });
    }

    async Task<WriteDecision.Conflict?> ClaimUniqueValuesAsync(
        CollectionOptions collection, Record record, JsonNode? previousDocument, JsonNode? document, CancellationToken cancellationToken)
    {
        var before = DocumentConstraints.UniqueValuesOf(collection, previousDocument);
        var after = DocumentConstraints.UniqueValuesOf(collection, document);

        foreach (var released in before.Except(after))
        {
            await db.UniqueValues
                .Where(u => u.Collection == record.Collection && u.Field == released.Field && u.Value == released.Value && u.Key == record.Key)
                .ExecuteDeleteAsync(cancellationToken);
        }

        foreach (var value in after.Except(before))
        {
            if (!await ClaimAsync(record, value, cancellationToken))
            {
                // Which record holds it is looked up after the rollback, with the rest of the conflict.
                return new WriteDecision.Conflict(
                    WriteErrors.UniqueViolation,
                    $"A value that must be unique in '{record.Collection}' is already held by another record.",
                    new JsonObject { ["claimed"] = new JsonArray(new JsonObject { ["field"] = value.Field, ["value"] = value.Value }) });
            }
        }

        return null;
    }

    /// <summary>
    /// Inserts the claim unless the value is held: one statement, so the database settles a race (PostgreSQL and
    /// SQLite wait for a concurrent insert of the same key and then skip; SQL Server's key-range lock does the same).
    /// A taken value is an answer, not an error: nothing is logged as a failure and the transaction stays usable.
    /// </summary>
    async Task<bool> ClaimAsync(Record record, UniqueFieldValue value, CancellationToken cancellationToken)
    {
        var (collection, field, text, key) = (record.Collection, value.Field, value.Value, record.Key);
        var inserted = db.Database.IsSqlServer()
            ? await db.Database.ExecuteSqlInterpolatedAsync(
                $"""
                INSERT INTO unique_values ([Collection], [Field], [Value], [Key])
                SELECT {collection}, {field}, {text}, {key}
                WHERE NOT EXISTS (SELECT 1 FROM unique_values WITH (UPDLOCK, HOLDLOCK)
                                  WHERE [Collection] = {collection} AND [Field] = {field} AND [Value] = {text})
                """,
                cancellationToken)
            : await db.Database.ExecuteSqlInterpolatedAsync(
                $"""
                INSERT INTO unique_values ("Collection", "Field", "Value", "Key")
                VALUES ({collection}, {field}, {text}, {key})
                ON CONFLICT DO NOTHING
                """,
                cancellationToken);
        return inserted == 1;
    }

    static bool SameTarget(DocumentReference left, DocumentReference right) =>
        left.Field == right.Field && left.Collection == right.Collection && left.Key == right.Key;
}
