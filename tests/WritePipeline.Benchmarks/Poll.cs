using System.Diagnostics;

namespace WritePipeline.Benchmarks;

/// <summary>Waits for a condition by polling at a fixed interval, within a bound; never sleeps and hopes.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan limit, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0} s waiting until {what}.");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Runs <paramref name="work"/> with a token cancelled after <paramref name="limit"/>, which then reads as a timeout.</summary>
    public static async Task<T> WithinAsync<T>(Func<CancellationToken, Task<T>> work, string what, TimeSpan limit)
    {
        using var cancellation = new CancellationTokenSource(limit);
        try
        {
            return await work(cancellation.Token);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"Timed out after {limit.TotalSeconds:0} s while {what}.");
        }
    }
}
