using System.Diagnostics;
using System.Net;
using System.Text;
using WritePipeline.Benchmarks.Reporting;

namespace WritePipeline.Benchmarks.Pipeline;

/// <summary>Clients of the pipeline's HTTP API, as a real client would call it.</summary>
public static class Submitters
{
    /// <summary>A collection every fresh install declares (it has a unique field the benchmark's documents leave out).</summary>
    public const string Collection = "customers";

    public static string RecordPath(string key) => $"/v1/collections/{Collection}/records/{key}";

    public static StringContent Document(string key, int seq) => new(DocumentText(key, seq), Encoding.UTF8, "application/json");

    /// <summary>The JSON of <see cref="Document"/>; compact, so it is also the body the API passes on for it.</summary>
    public static string DocumentText(string key, int seq) =>
        $$"""{"name":"{{key}}","seq":{{seq}},"payload":"benchmark write {{seq}} of {{key}}"}""";

    /// <summary>
    /// <paramref name="concurrency"/> submitters PUT <paramref name="perKey"/> writes to each of <paramref name="keys"/>
    /// keys (<paramref name="keyPrefix"/>0, 1, ...): a key's writes one after another, each waiting for its 202, keys
    /// concurrently. Times the whole run to the last 202, and each request. An answer other than 202 ends the run.
    /// </summary>
    public static Task<SubmissionRun> PutAsync(HttpClient http, string keyPrefix, int keys, int perKey, int concurrency, TimeSpan limit) =>
        SubmitAsync(http, keyPrefix, keys, perKey, concurrency, limit, countRefusals: false);

    /// <summary>
    /// The same run as <see cref="PutAsync"/>, where an answer other than 202 is counted as refused
    /// (<see cref="SubmissionRun.Refused"/>) and the key goes on with its next write: for a run that measures refusals.
    /// </summary>
    public static Task<SubmissionRun> PutCountingRefusalsAsync(HttpClient http, string keyPrefix, int keys, int perKey, int concurrency, TimeSpan limit) =>
        SubmitAsync(http, keyPrefix, keys, perKey, concurrency, limit, countRefusals: true);

    static Task<SubmissionRun> SubmitAsync(HttpClient http, string keyPrefix, int keys, int perKey, int concurrency, TimeSpan limit, bool countRefusals) =>
        Poll.WithinAsync(
            async cancellationToken =>
            {
                var latencies = new double[keys * perKey];
                var refused = 0;
                var clock = Stopwatch.StartNew();
                await Parallel.ForEachAsync(
                    Enumerable.Range(0, keys),
                    new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
                    async (key, token) =>
                    {
                        var name = keyPrefix + key;
                        for (var seq = 1; seq <= perKey; seq++)
                        {
                            var started = Stopwatch.GetTimestamp();
                            using var body = Document(name, seq);
                            using var response = await http.PutAsync(RecordPath(name), body, token);
                            var index = (key * perKey) + seq - 1;
                            if (countRefusals && response.StatusCode != HttpStatusCode.Accepted)
                            {
                                Interlocked.Increment(ref refused);
                                latencies[index] = double.NaN;
                                continue;
                            }

                            await ExpectAsync(response, HttpStatusCode.Accepted, token);
                            latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        }
                    });

                // Latencies are of the 202s alone: a refusal is counted, not timed.
                return new SubmissionRun(keys * perKey, clock.Elapsed, [.. latencies.Where(double.IsFinite)], refused);
            },
            $"submitting {keys * perKey} writes to '{keyPrefix}*'",
            limit);

    /// <summary>Throws, with what the server said, unless the response has one of the <paramref name="expected"/> statuses.</summary>
    public static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} answered {(int)response.StatusCode}, not {(int)expected}: {body}");
        }
    }
}

/// <summary>
/// A run of submissions: how many, the time to the last answer, each 202's latency in ms, and how many answers were
/// not 202 (only <see cref="Submitters.PutCountingRefusalsAsync"/> counts them; otherwise the first one ends the run).
/// </summary>
public sealed record SubmissionRun(int Writes, TimeSpan Elapsed, double[] LatenciesMilliseconds, int Refused = 0)
{
    public int Accepted => Writes - Refused;

    /// <summary>202s per second.</summary>
    public double PerSecond => Accepted / Elapsed.TotalSeconds;

    public double P50Milliseconds => Percentiles.Of(LatenciesMilliseconds, 50);

    public double P99Milliseconds => Percentiles.Of(LatenciesMilliseconds, 99);
}
