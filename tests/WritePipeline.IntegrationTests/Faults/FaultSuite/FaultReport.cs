using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Testing;

namespace WritePipeline.IntegrationTests.Faults.FaultSuite;

/// <summary>
/// What one fault scenario did to the writes that got their 202: how many were applied, lost (never applied), applied
/// twice, applied out of their key's submission order, or still not final when the scenario gave up waiting; and how
/// many submissions the client had to send again (answered 503, or dropped on the way), and how many of those were 503s.
/// </summary>
public sealed record FaultReport(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("writes")] int Writes,
    [property: JsonPropertyName("applied")] int Applied,
    [property: JsonPropertyName("lost")] int Lost,
    [property: JsonPropertyName("duplicated")] int Duplicated,
    [property: JsonPropertyName("out_of_order")] int OutOfOrder,
    [property: JsonPropertyName("stuck")] int Stuck,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("retried")] int Retried,
    [property: JsonPropertyName("answered_503")] int Answered503)
{
    /// <summary>
    /// Waits up to <paramref name="drainTimeout"/> for every accepted write of the client to be final, then counts from
    /// the records' histories (the <c>seq</c> each write carried) and the write rows.
    /// </summary>
    public static async Task<FaultReport> CountAsync(string name, PipelineApp app, Guid clientId, CarefulClient load, IReadOnlyList<int> writesPerKey, Stopwatch elapsed, TimeSpan drainTimeout)
    {
        var total = writesPerKey.Sum();
        try
        {
            await app.UntilDrainedAsync(clientId, total, drainTimeout);
        }
        catch (TimeoutException)
        {
            // Counted below as stuck.
        }

        var history = await app.HistoryAsync("customers", load.Prefix);
        var byKey = history.GroupBy(v => v.Key).ToDictionary(g => g.Key, g => g.OrderBy(v => v.Version).Select(v => JsonNode.Parse(v.Document!)!["seq"]!.GetValue<int>()).ToList());
        int lost = 0, duplicated = 0, outOfOrder = 0;
        for (var k = 0; k < writesPerKey.Count; k++)
        {
            var seqs = byKey.GetValueOrDefault(load.Prefix + k) ?? [];
            lost += Enumerable.Range(1, writesPerKey[k]).Count(seq => !seqs.Contains(seq));
            duplicated += seqs.Count - seqs.Distinct().Count();
            outOfOrder += seqs.Zip(seqs.Skip(1)).Count(pair => pair.Second < pair.First);
        }

        var applied = await app.QueryAsync(db => db.Writes.CountAsync(w => w.ClientId == clientId && w.Status == WriteStatus.Applied));
        var stuck = await app.QueryAsync(db => db.Writes.CountAsync(w => w.ClientId == clientId && w.Status != WriteStatus.Applied && w.Status != WriteStatus.Duplicate));
        return new FaultReport(name, load.Submitted, applied, lost, duplicated, outOfOrder, stuck, Math.Round(elapsed.Elapsed.TotalSeconds, 1), load.Retries, load.Unavailable);
    }

    /// <summary>Writes this report as one JSON line for infra/faults.sh (<c>WP_FAULT_REPORTS</c>, else artifacts/faults under the repository).</summary>
    public void Save()
    {
        var folder = Environment.GetEnvironmentVariable("WP_FAULT_REPORTS") ?? Path.Combine(BuildOutput.RepositoryRoot, "artifacts", "faults");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, Name + ".json"), JsonSerializer.Serialize(this) + "\n");
    }

    /// <summary>Nothing lost, doubled, reordered or stuck, and every accepted write applied.</summary>
    public void AssertClean()
    {
        Assert.True(Lost == 0 && Duplicated == 0 && OutOfOrder == 0 && Stuck == 0 && Applied == Writes, JsonSerializer.Serialize(this));
    }
}
