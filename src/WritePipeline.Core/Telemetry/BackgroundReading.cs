namespace WritePipeline.Telemetry;

/// <summary>
/// A figure read in the background when a caller finds the last reading older than <paramref name="maxAge"/>: callers
/// never wait (they get the last reading, null until the first), at most one read runs at a time, and a read that fails
/// keeps the last reading (<paramref name="failed"/> is told why).
/// </summary>
public sealed class BackgroundReading<T>(Func<CancellationToken, Task<T>> read, TimeProvider clock, Func<TimeSpan> maxAge, Action<Exception> failed)
    where T : class
{
    Stamped? _last;
    int _reading;

    /// <summary>The last reading, asking for a new one when it has reached its maximum age; null until the first.</summary>
    public T? Last()
    {
        var last = Volatile.Read(ref _last);
        if (last is null || clock.GetUtcNow() - last.At >= maxAge())
        {
            ReadAgain();
        }

        return last?.Value;
    }

    void ReadAgain()
    {
        if (Interlocked.CompareExchange(ref _reading, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var value = await read(CancellationToken.None);
                Volatile.Write(ref _last, new Stamped(clock.GetUtcNow(), value));
            }
            catch (Exception ex)
            {
                failed(ex);
            }
            finally
            {
                Volatile.Write(ref _reading, 0);
            }
        });
    }

    sealed record Stamped(DateTimeOffset At, T Value);
}
