using WritePipeline.Dashboard;

namespace WritePipeline.UnitTests.Dashboard;

public class DashboardTests
{
    static readonly Dictionary<long, int> None = [];

    [Fact]
    public void The_window_ends_with_the_minute_now_is_in_whatever_the_offset()
    {
        var now = new DateTimeOffset(2026, 11, 25, 12, 30, 59, 999, TimeSpan.FromHours(2));

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 10, 26, 0, TimeSpan.Zero), PipelineMetrics.WindowStart(now, 5));
        var onTheMinute = new DateTimeOffset(2026, 11, 25, 10, 30, 0, TimeSpan.Zero);
        Assert.Equal(onTheMinute, PipelineMetrics.WindowStart(onTheMinute, 1));
    }

    [Fact]
    public void Every_minute_of_the_window_gets_an_entry_oldest_first_with_zeros_where_nothing_happened()
    {
        var from = new DateTimeOffset(2026, 11, 25, 10, 26, 0, TimeSpan.Zero);
        var unixMinute = from.ToUnixTimeSeconds() / 60;

        var minutes = PipelineMetrics.FillMinutes(
            from, 5, new Dictionary<long, int> { [unixMinute] = 3, [unixMinute + 4] = 7 }, new Dictionary<long, int> { [unixMinute + 4] = 2 }, new Dictionary<long, int> { [unixMinute + 1] = 1 });

        Assert.Equal(Enumerable.Range(0, 5).Select(i => from.AddMinutes(i)), minutes.Select(m => m.Minute));
        Assert.Equal([3, 0, 0, 0, 7], minutes.Select(m => m.Accepted));
        Assert.Equal([0, 0, 0, 0, 2], minutes.Select(m => m.Applied));
        Assert.Equal([0, 1, 0, 0, 0], minutes.Select(m => m.Conflicted));
    }

    [Fact]
    public void Counts_outside_the_window_are_not_shown()
    {
        var from = new DateTimeOffset(2026, 11, 25, 10, 26, 0, TimeSpan.Zero);
        var unixMinute = from.ToUnixTimeSeconds() / 60;

        var minutes = PipelineMetrics.FillMinutes(from, 5, new Dictionary<long, int> { [unixMinute - 1] = 9, [unixMinute + 5] = 9 }, None, None);

        Assert.All(minutes, m => Assert.Equal(0, m.Accepted));
    }

    [Theory]
    [InlineData(0, 0, 0.0)]
    [InlineData(3, 1, 0.25)]
    [InlineData(0, 2, 1.0)]
    [InlineData(5, 0, 0.0)]
    public void The_conflict_rate_is_conflicted_over_applied_and_conflicted(int applied, int conflicted, double rate)
    {
        Assert.Equal(rate, PipelineMetrics.ConflictRate(applied, conflicted), 10);
    }
}
