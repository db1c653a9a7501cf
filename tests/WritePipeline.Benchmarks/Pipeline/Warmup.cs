namespace WritePipeline.Benchmarks.Pipeline;

/// <summary>
/// A small run before each measured one, on the same processes and with the same shape: connections opened, code
/// jitted, caches filled, so that the figures are of a process that has been running, not of its first seconds. Its
/// writes go to keys of their own (<see cref="KeyPrefix"/>), which the measured figures leave out.
/// </summary>
public static class Warmup
{
    public const string KeyPrefix = "warm-";

    /// <summary>Keys and writes per key of the warm-up: about <see cref="BenchmarkSettings.Warmup"/> writes.</summary>
    public static (int Keys, int PerKey) Shape(BenchmarkSettings settings)
    {
        if (settings.Warmup == 0)
        {
            return (0, 0);
        }

        var keys = Math.Min(settings.Keys, settings.Warmup);
        return (keys, Math.Max(1, settings.Warmup / keys));
    }

    /// <summary>PUTs the warm-up writes like the measured ones; returns how many it sent.</summary>
    public static async Task<int> PutAsync(ApiHost api, BenchmarkSettings settings)
    {
        var (keys, perKey) = Shape(settings);
        if (keys == 0)
        {
            return 0;
        }

        await Submitters.PutAsync(api.Http, KeyPrefix, keys, perKey, settings.Concurrency, settings.TimeLimit);
        return keys * perKey;
    }
}
