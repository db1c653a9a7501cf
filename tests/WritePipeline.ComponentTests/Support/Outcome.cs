using System.Text;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Writes.Detection;

namespace WritePipeline.ComponentTests.Support;

/// <summary>
/// Everything applying a case leaves behind, as lines of text that leave out what differs between two runs by nature
/// (generated row ids, timestamps, webhook payloads, which carry times): records, their history, every write's status,
/// conflicts, key holds, unique-value claims, webhook deliveries, and the outcome of every delivery in order. Writes
/// are named by their label in the case (w1, w2, …).
/// </summary>
public sealed record Outcome(IReadOnlyDictionary<string, IReadOnlyList<string>> Sections)
{
    public static async Task<Outcome> ReadAsync(WriteApplierHarness harness, WriteCase writes, IReadOnlyList<ApplyResult> results)
    {
        string W(Guid? id) => writes.Label(id);

        var sections = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["outcomes"] = results.Select((r, i) =>
                    $"#{i + 1} {W(writes.Deliveries[i].WriteId)}: {r.Outcome} write={W(r.Write?.Id)} status={r.Write?.Status} version={r.Write?.Version}"
                    + $" error={r.Write?.ErrorType} conflict={r.Conflict?.Type}/{W(r.Conflict?.WriteId)}"
                    + $" deliveries=[{string.Join(",", (r.Deliveries ?? []).Select(d => $"{d.EventType}:{W(d.WriteId)}"))}]")
                .ToList(),
        };

        await harness.QueryAsync(async db =>
        {
            sections["records"] = Sorted(await db.Records.AsNoTracking().ToListAsync(), r =>
                $"{r.Collection}/{r.Key} v{r.Version} refs={r.ReferenceCount} last={W(r.LastWriteId)} {r.Document ?? "(deleted)"}");
            sections["history"] = Sorted(await db.RecordVersions.AsNoTracking().ToListAsync(), v =>
                $"{v.Collection}/{v.Key} v{v.Version:D4} {v.Operation} by {W(v.WriteId)} {v.Document ?? "(deleted)"}");
            sections["writes"] = Sorted(await db.Writes.AsNoTracking().ToListAsync(), w =>
                $"{W(w.Id)} {w.Collection}/{w.Key} {w.Operation} status={w.Status} version={w.Version} error={w.ErrorType}: {w.ErrorDetail}"
                + $" held-behind={W(w.HeldBehind)} held-position={w.HeldPosition} completed={w.CompletedAt is not null}"
                + $" idempotency-key={w.IdempotencyKey} duplicate-of={W(w.DuplicateOf)}");
            sections["conflicts"] = Sorted(await db.WriteConflicts.AsNoTracking().ToListAsync(), c =>
                $"{W(c.WriteId)} {c.Type}: {c.Detail} current=v{c.CurrentVersion} {c.CurrentDocument} based-on={c.BasedOnVersion}"
                + $" attempted={c.AttemptedDocument} changes={c.Changes} subject={c.Subject}");
            sections["holds"] = Sorted(await db.KeyHolds.AsNoTracking().ToListAsync(), h =>
                $"{h.Collection}/{h.Key} behind {W(h.BlockingWriteId)} last-position={h.LastPosition}");
            sections["unique values"] = Sorted(await db.UniqueValues.AsNoTracking().ToListAsync(), u =>
                $"{u.Collection} {u.Field}={u.Value} held by {u.Key}");
            sections["webhook deliveries"] = Sorted(await db.WebhookDeliveries.AsNoTracking().ToListAsync(), d =>
                $"{d.EventType} {W(d.WriteId)} to {d.EndpointId} {d.Status}");
        });

        return new Outcome(sections);
    }

    static List<string> Sorted<T>(IEnumerable<T> rows, Func<T, string> line) =>
        [.. rows.Select(line).Order(StringComparer.Ordinal)];

    /// <summary>The lines each side has and the other has not, section by section; empty when the outcomes are the same.</summary>
    public static string Differences(Outcome expected, Outcome actual)
    {
        var text = new StringBuilder();
        foreach (var (section, lines) in expected.Sections)
        {
            var other = actual.Sections[section];
            if (lines.SequenceEqual(other))
            {
                continue;
            }

            text.AppendLine($"{section}:");
            var onlyExpected = lines.Except(other).ToList();
            var onlyActual = other.Except(lines).ToList();
            if (onlyExpected.Count == 0 && onlyActual.Count == 0)
            {
                // The same lines, in another order or another number of times: show both in full.
                (onlyExpected, onlyActual) = ([.. lines], [.. other]);
            }

            foreach (var line in onlyExpected)
            {
                text.AppendLine($"  one at a time: {line}");
            }

            foreach (var line in onlyActual)
            {
                text.AppendLine($"  in batches:    {line}");
            }
        }

        return text.ToString();
    }
}
