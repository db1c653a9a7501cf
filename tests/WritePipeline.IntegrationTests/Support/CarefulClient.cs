using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using System.Text.Json.Nodes;
using WritePipeline.Testing;
using WritePipeline.IntegrationTests.Writes;

namespace WritePipeline.IntegrationTests.Support;

/// <summary>
/// A careful client: keys concurrently, each key's writes one after another, each waiting for its 202, and a 503 or
/// a dropped request retried with the same Idempotency-Key until it is accepted; at a steady pace. Any other answer
/// (a 500, a 400) fails the test.
/// </summary>
public sealed class CarefulClient(HttpClient http, string prefix)
{
    int _submitted;
    int _unavailable;
    int _dropped;
    long _lastUnavailable;

    public string Prefix => prefix;

    public int Submitted => Volatile.Read(ref _submitted);

    /// <summary>Submissions retried after a 503 or a dropped request.</summary>
    public int Retries => Unavailable + Dropped;

    /// <summary>Submissions answered 503 (the broker or the database could not take the write).</summary>
    public int Unavailable => Volatile.Read(ref _unavailable);

    /// <summary>When the last 503 was answered (<see cref="Stopwatch.GetTimestamp"/>), 0 when none was.</summary>
    public long LastUnavailable => Interlocked.Read(ref _lastUnavailable);

    /// <summary>Submissions whose request failed without an answer.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    const int Clients = 32;

    public Task RunAsync(int keys, int writesPerKey, int writesPerSecond) =>
        RunAsync([.. Enumerable.Repeat(writesPerKey, keys)], writesPerSecond);

    /// <summary>Key <c>k</c> gets <c>writesPerKey[k]</c> writes, numbered by <c>seq</c> from 1.</summary>
    public Task RunAsync(IReadOnlyList<int> writesPerKey, int writesPerSecond)
    {
        var pause = TimeSpan.FromSeconds((double)Clients / writesPerSecond);
        return Parallel.ForEachAsync(Enumerable.Range(0, writesPerKey.Count), new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (k, _) =>
        {
            for (var seq = 1; seq <= writesPerKey[k]; seq++)
            {
                await SubmitAsync(prefix + k, seq);
                Interlocked.Increment(ref _submitted);
                await Task.Delay(pause);
            }
        });
    }

    public Task UntilSubmittedAsync(int count) =>
        Eventually.UntilAsync(() => Task.FromResult(Submitted >= count), $"{count} writes are accepted", TimeSpan.FromMinutes(3));

    async Task SubmitAsync(string key, int seq)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            try
            {
                var response = await http.PutAsync("customers", key, new JsonObject { ["seq"] = seq }, r => r.Headers.Add("Idempotency-Key", $"\"{key}-{seq}\""));
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    return;
                }

                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{key} seq {seq} was answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                Interlocked.Increment(ref _unavailable);
                Interlocked.Exchange(ref _lastUnavailable, Stopwatch.GetTimestamp());
            }
            catch (HttpRequestException)
            {
                // The request was dropped on the way: whether it was accepted is unknown, so it is sent again.
                Interlocked.Increment(ref _dropped);
            }

            Assert.True(DateTime.UtcNow < deadline, $"{key} seq {seq} was not accepted within 2 minutes");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>
    /// Every write submitted (keys x writesPerKey) got its 202, and within <paramref name="timeout"/> every one is
    /// applied exactly once, each key's history in submission order.
    /// </summary>
    public async Task AssertAppliedOnceInOrderAsync(PipelineApp app, Guid clientId, int keys, int writesPerKey, TimeSpan timeout, ITestOutputHelper output)
    {
        var total = keys * writesPerKey;
        output.WriteLine($"{Submitted} writes accepted, {Retries} submissions retried after a 503 or a dropped connection");
        Assert.Equal(total, Submitted);
        await app.UntilDrainedAsync(clientId, total, timeout);
        OrderingTests.AssertInOrderWithoutGapsOrDuplicates(await app.HistoryAsync("customers", Prefix), keys, writesPerKey);
        var statuses = await app.QueryAsync(db => db.Writes.Where(w => w.ClientId == clientId).GroupBy(w => w.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        Assert.Equal(total, Assert.Single(statuses).Count);
        Assert.Equal(WriteStatus.Applied, Assert.Single(statuses).Key);
    }
}
