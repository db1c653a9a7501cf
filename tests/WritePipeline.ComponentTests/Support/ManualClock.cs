namespace WritePipeline.ComponentTests.Support;

/// <summary>A clock that stands still until the test moves it on: lease times follow the test's steps, not the machine's speed.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    readonly Lock _lock = new();
    DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock)
        {
            _now += by;
        }
    }
}
