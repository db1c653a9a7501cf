namespace WritePipeline.Benchmarks;

/// <summary>What one run measures; bounded in count and in time, loopback only.</summary>
public sealed record BenchmarkSettings(int Writes, int Keys, int Concurrency, int Partitions, TimeSpan TimeLimit)
{
    public static BenchmarkSettings Parse(string[] args)
    {
        int Option(string name, int fallback)
        {
            var index = Array.IndexOf(args, "--" + name);
            return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
        }

        var settings = new BenchmarkSettings(
            Writes: Option("writes", 5000),
            Keys: Option("keys", 100),
            Concurrency: Option("concurrency", 32),
            Partitions: Option("partitions", 8),
            TimeLimit: TimeSpan.FromSeconds(Option("time-limit-seconds", 300)));
        if (settings.Writes is < 1 or > 200_000 || settings.Keys < 1 || settings.Concurrency is < 1 or > 512)
        {
            throw new ArgumentException("--writes 1..200000, --keys >= 1, --concurrency 1..512");
        }

        return settings;
    }
}

/// <summary>One side's figures.</summary>
public sealed record Figures(double AcceptedPerSecond, double AppliedPerSecond, double P50Milliseconds, double P99Milliseconds);

public static class Percentiles
{
    public static double Of(IReadOnlyList<double> sorted, double percentile) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1)];
}
