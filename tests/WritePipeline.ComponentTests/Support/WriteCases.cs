using System.Text;
using CsCheck;
using WritePipeline.Collections;
using WritePipeline.Contracts;

namespace WritePipeline.ComponentTests.Support;

/// <summary>
/// Random sequences of writes over a few keys, so that keys collide: replaces, merge patches and deletes, with right or
/// stale If-Match versions and If-None-Match: *, of records with a unique field, with a reference, with a schema, in a collection that
/// goes on after a conflict and in one nobody declared; invalid bodies, unknown operations, redeliveries of a write
/// already delivered; Idempotency-Keys from a small set, so that a key comes back with its request under a new id (a
/// duplicate) or with another request (a reuse); and now and then a write an older API version recorded before sending
/// it, or then marked rejected.
/// </summary>
public static class WriteCases
{
    public static readonly Guid ClientId = new("7d2f0c9e-5b1a-4c3e-9f60-2a8e4b1d3c57");

    public static readonly Guid EndpointId = new("0b6c1f2a-9e3d-4a57-8c21-6f4e2d9b7a10");

    public static readonly DateTimeOffset SubmittedFrom = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// customers: a unique email; orders: a reference to a customer, and a schema that a quantity of 5 breaks (a replace,
    /// or a merge patch once merged); notes: a unique tag and a reference, and a conflict does not hold the key;
    /// misc is not declared at all (no constraints, and a conflict holds its key). misc/c1 and customers/c1 are different
    /// records with the same key.
    /// </summary>
    public static IReadOnlyDictionary<string, CollectionOptions> Collections => new Dictionary<string, CollectionOptions>(StringComparer.Ordinal)
    {
        ["customers"] = new() { UniqueFields = ["/email"] },
        // No reference grace: a missing reference conflicts in the write's own turn, which is what these cases compare.
        ["orders"] = new() { References = { ["/customerId"] = "customers" }, Schema = """{"properties":{"qty":{"maximum":4}}}""", ReferenceGrace = TimeSpan.Zero },
        ["notes"] = new() { UniqueFields = ["/tag"], References = { ["/customerId"] = "customers" }, OnConflict = CollectionOptions.Continue, ReferenceGrace = TimeSpan.Zero },
    };

    sealed record Target(string Collection, string Key);

    static readonly Gen<Target> Targets = Gen.Frequency(
        (3, new Target("customers", "c1")),
        (3, new Target("customers", "c2")),
        (2, new Target("orders", "o1")),
        (2, new Target("orders", "o2")),
        (3, new Target("notes", "n1")),
        (2, new Target("misc", "c1")));

    // Field values are JSON text; null leaves the field out.

    /// <summary>Two addresses to compete for, one too long to be stored as it is (its hash is), and none.</summary>
    static readonly Gen<string?> Email = Gen.Frequency<string?>(
        (3, "\"a@example.com\""), (3, "\"b@example.com\""), (1, $"\"{new string('l', 300)}@example.com\""), (2, null), (1, "null"));

    static readonly Gen<string?> Tag = Gen.Frequency<string?>((3, "\"t1\""), (3, "\"t2\""), (2, null));

    /// <summary>c1 and c2 can exist, c3 and 7 never do, "not a key!" and true cannot name a record.</summary>
    static readonly Gen<string?> CustomerId = Gen.Frequency<string?>(
        (6, Gen.Const<string?>("\"c1\"")),
        (5, Gen.Const<string?>("\"c2\"")),
        (1, Gen.Const<string?>("\"c3\"")),
        (1, Gen.OneOf<string?>("7", "\"not a key!\"", "true")),
        (3, Gen.Const((string?)null)),
        (1, Gen.Const<string?>("null")));

    static readonly Gen<string?> Meta = Gen.Frequency<string?>((4, null), (1, "{\"a\":1}"), (1, "{\"a\":2,\"b\":[1,2]}"));

    static readonly Gen<string?> Number = Gen.Int[1, 5].Select(i => (string?)i.ToString(System.Globalization.CultureInfo.InvariantCulture));

    static readonly Gen<string?> Name = Gen.Int[1, 3].Select(i => (string?)$"\"n{i}\"");

    /// <summary>In a merge patch a field is left alone (most often), set, or removed (null).</summary>
    static Gen<string?> Patched(Gen<string?> value) => Gen.Frequency<string?>((3, Gen.Const((string?)null)), (3, value.Where(v => v is not null)), (1, Gen.Const<string?>("null")));

    static readonly Gen<string?> InvalidBody = Gen.Frequency<string?>((1, "not json"), (1, "[1,2]"), (1, "42"), (1, "{"), (1, "\"text\""), (1, null));

    static Gen<string> Document(Target target, bool patch)
    {
        Gen<string?> Field(Gen<string?> value) => patch ? Patched(value) : value;
        return target.Collection switch
        {
            "customers" => Gen.Select(Field(Name), Field(Email), Field(Meta), (name, email, meta) => Json(("name", name), ("email", email), ("meta", meta))),
            "orders" => Gen.Select(Field(CustomerId), Field(Number), Field(Meta), (customer, qty, meta) => Json(("customerId", customer), ("qty", qty), ("meta", meta))),
            "notes" => Gen.Select(Field(Tag), Field(CustomerId), Field(Meta), (tag, customer, meta) => Json(("tag", tag), ("customerId", customer), ("meta", meta))),
            _ => Gen.Select(Field(Number), Field(Meta), (v, meta) => Json(("v", v), ("meta", meta))),
        };
    }

    static string Json(params (string Name, string? Value)[] fields) =>
        "{" + string.Join(",", fields.Where(f => f.Value is not null).Select(f => $"\"{f.Name}\":{f.Value}")) + "}";

    static Gen<(string Operation, string? Body)> Change(Target target) => Gen.Frequency<(string Operation, string? Body)>(
        (8, Document(target, patch: false).Select(body => (WriteOperations.Replace, (string?)body))),
        (4, Document(target, patch: true).Select(body => (WriteOperations.Patch, (string?)body))),
        (2, Gen.Const((WriteOperations.Delete, (string?)null))),
        (1, InvalidBody.Select(body => (WriteOperations.Replace, body))),
        (1, InvalidBody.Select(body => (WriteOperations.Patch, body))),
        (1, Gen.Select(Gen.OneOf("upsert", "Replace"), Document(target, patch: false), (operation, body) => (operation, (string?)body))));

    /// <summary>What a write asks of the record's state: nothing (most often), the version it has, one it has not, or that it does not exist.</summary>
    enum Precondition
    {
        None,
        RightVersion,
        StaleVersion,
        NoRecord,
    }

    /// <summary>
    /// A new write as generated. A patch or delete of a record that (by the case so far) does not exist yet becomes a
    /// replace with <see cref="Creation"/>, and a reference to such a customer is dropped, unless <see cref="EvenIfMissing"/>:
    /// otherwise most keys would start with a conflict and hold every later write.
    /// </summary>
    sealed record NewWrite(Guid Id, Target Target, string Operation, string? Body, string Creation, bool EvenIfMissing, Precondition Precondition, Row Row, string? IdempotencyKey);

    /// <summary>What the API left of a write before the worker got it: nothing (the worker records it), or an older version's row.</summary>
    enum Row
    {
        None,
        Queued,
        Rejected,
    }

    /// <summary>
    /// A new write; a redelivery of the write delivered <see cref="Back"/> (modulo how many there were) new writes ago;
    /// or, <see cref="Again"/>, that write's request under a new id (<see cref="AgainId"/>), as a second API process
    /// that did not know of the first would send it.
    /// </summary>
    sealed record Step(NewWrite? Write, int Back, bool Again = false, Guid AgainId = default);

    static readonly Gen<Step> NewWrites = Gen.Select(
        Targets.SelectMany(target => Gen.Select(Change(target), Document(target, patch: false), (change, creation) => (target, change, creation))),
        Gen.Frequency((3, false), (1, true)),
        Gen.Frequency((16, Precondition.None), (2, Precondition.RightVersion), (1, Precondition.StaleVersion), (1, Precondition.NoRecord)),
        Gen.Frequency((40, Row.None), (4, Row.Queued), (1, Row.Rejected)),
        Gen.Frequency<string?>((6, Gen.Const((string?)null)), (1, Gen.Int[1, 3].Select(i => (string?)$"key-{i}"))),
        Gen.Guid,
        (write, evenIfMissing, precondition, row, key, id) => new Step(
            // An older version's row never shares its key: its API claimed keys by the unique index before sending.
            new NewWrite(id, write.target, write.change.Operation, write.change.Body, write.creation, evenIfMissing, precondition, row, row == Row.None ? key : null),
            0));

    static readonly Gen<Step> Redeliveries = Gen.Int[0, 1000].Select(back => new Step(null, back));

    static readonly Gen<Step> SentAgain = Gen.Select(Gen.Int[0, 1000], Gen.Guid, (back, id) => new Step(null, back, Again: true, AgainId: id));

    public static readonly Gen<WriteCase> All = Gen.Frequency((10, NewWrites), (1, Redeliveries), (1, SentAgain)).List[1, 40].Select(Build);

    public static WriteCase Generate(PCG pcg) => All.Generate(pcg, null, out _);

    static WriteCase Build(List<Step> steps)
    {
        var written = new List<ApplyWrite>();
        var recorded = new List<ApplyWrite>();
        var rejected = new List<Guid>();
        var deliveries = new List<ApplyWrite>();

        // What the case so far would have made of each key if every write were applied that its own record allows (the
        // declared constraints and holds are left out): enough to name a right or a stale version, not to predict.
        var versions = new Dictionary<Target, long>();
        var existing = new HashSet<Target>();
        foreach (var step in steps)
        {
            if (step.Write is not { } spec)
            {
                if (written.Count > 0)
                {
                    var earlier = written[written.Count - 1 - (step.Back % written.Count)];
                    if (step.Again)
                    {
                        // The same request, a new id and a later submission; without a key it is simply another write.
                        var again = earlier with { WriteId = step.AgainId, SubmittedAt = SubmittedFrom.AddSeconds(written.Count) };
                        written.Add(again);
                        deliveries.Add(again);
                    }
                    else
                    {
                        deliveries.Add(earlier);
                    }
                }

                continue;
            }

            var exists = existing.Contains(spec.Target);
            var version = versions.GetValueOrDefault(spec.Target);
            var (operation, body) = spec.Operation is WriteOperations.Patch or WriteOperations.Delete && !exists && !spec.EvenIfMissing
                ? (WriteOperations.Replace, spec.Creation)
                : (spec.Operation, spec.Body);
            if (!spec.EvenIfMissing)
            {
                // A reference to a customer that does not exist yet is dropped (null), or most orders would conflict.
                foreach (var customer in new[] { "c1", "c2" }.Where(c => !existing.Contains(new Target("customers", c))))
                {
                    body = body?.Replace($"\"customerId\":\"{customer}\"", "\"customerId\":null", StringComparison.Ordinal);
                }
            }

            var write = new ApplyWrite
            {
                WriteId = spec.Id,
                ClientId = ClientId,
                Collection = spec.Target.Collection,
                Key = spec.Target.Key,
                Operation = operation,
                Body = body,
                IfMatchVersion = spec.Precondition switch
                {
                    Precondition.RightVersion => Math.Max(version, 1),
                    Precondition.StaleVersion => version >= 2 ? version - 1 : version + 1,
                    _ => null,
                },
                IfNoneMatchAny = spec.Precondition == Precondition.NoRecord,

                // Submitted a second apart, in delivery order, as one client's writes to one partition would be.
                SubmittedAt = SubmittedFrom.AddSeconds(written.Count),
                IdempotencyKey = spec.IdempotencyKey,
            };
            write = write with { RequestHash = spec.IdempotencyKey is null ? null : Fingerprint(write) };
            written.Add(write);
            deliveries.Add(write);
            if (spec.Row != Row.None)
            {
                recorded.Add(write);
            }

            if (spec.Row == Row.Rejected)
            {
                rejected.Add(write.WriteId);
            }

            var applies = WriteOperations.IsKnown(operation)
                && !(write.IfNoneMatchAny && exists)
                && (write.IfMatchVersion is null || (exists && write.IfMatchVersion == version))
                && (operation == WriteOperations.Replace ? IsObject(body) : exists && (operation == WriteOperations.Delete || IsObject(body)));
            if (applies)
            {
                versions[spec.Target] = version + 1;
                if (operation == WriteOperations.Delete)
                {
                    existing.Remove(spec.Target);
                }
                else
                {
                    existing.Add(spec.Target);
                }
            }
        }

        return new WriteCase(deliveries, recorded, rejected);
    }

    /// <summary>What the API fingerprints a request by: the same request gives the same hash, whatever its id.</summary>
    static string Fingerprint(ApplyWrite write) => new WritePipeline.Writes.WriteRequest
    {
        Collection = write.Collection,
        Key = write.Key,
        Operation = write.Operation,
        Body = write.Body,
        IfMatchVersion = write.IfMatchVersion,
        IfNoneMatchAny = write.IfNoneMatchAny,
        IdempotencyKey = write.IdempotencyKey,
    }.Fingerprint();

    static bool IsObject(string? body)
    {
        try
        {
            return body is not null && System.Text.Json.Nodes.JsonNode.Parse(body) is System.Text.Json.Nodes.JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    public static string Print(WriteCase writes)
    {
        var text = new StringBuilder();
        var seen = new HashSet<Guid>();
        var recorded = writes.Recorded.Select(w => w.WriteId).ToHashSet();
        foreach (var write in writes.Deliveries)
        {
            text.Append(writes.Label(write.WriteId)).Append(' ');
            if (!seen.Add(write.WriteId))
            {
                text.AppendLine("(redelivered)");
                continue;
            }

            text.Append($"{write.Operation} {write.Collection}/{write.Key}");
            if (write.IfMatchVersion is { } version)
            {
                text.Append($" If-Match:{version}");
            }

            if (write.IfNoneMatchAny)
            {
                text.Append(" If-None-Match:*");
            }

            if (write.Body is not null)
            {
                text.Append(' ').Append(write.Body);
            }

            if (write.IdempotencyKey is not null)
            {
                text.Append($" Idempotency-Key:{write.IdempotencyKey}");
            }

            if (writes.Rejected.Contains(write.WriteId))
            {
                text.Append(" (recorded, then rejected, by an older API)");
            }
            else if (recorded.Contains(write.WriteId))
            {
                text.Append(" (recorded by an older API)");
            }

            text.AppendLine($" [{write.WriteId}]");
        }

        return text.ToString();
    }
}
