namespace WritePipeline.ComponentTests.Support;

/// <summary>
/// The system clock, always 0.7 µs past a whole microsecond: what a real clock gives most of the time, made certain,
/// so that a test sees every time the database keeps less precisely (PostgreSQL: 1 µs, SQLite: 100 µs) than .NET.
/// </summary>
public sealed class SubMicrosecondClock : TimeProvider
{
    public override DateTimeOffset GetUtcNow()
    {
        var now = base.GetUtcNow();
        return now.AddTicks(7 - (now.Ticks % 10));
    }
}
