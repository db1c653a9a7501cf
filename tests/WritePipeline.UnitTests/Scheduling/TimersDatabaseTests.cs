using WritePipeline.Scheduling;

namespace WritePipeline.UnitTests.Scheduling;

public sealed class TimersDatabaseTests
{
    [Theory]
    [InlineData("Data Source=data/writepipeline.db", "Data Source=data/writepipeline.timers.db")]
    [InlineData("Data Source=/tmp/x/pipeline", "Data Source=/tmp/x/pipeline.timers")]
    [InlineData("Data Source=:memory:", "Data Source=:memory:")]
    public void On_SQLite_the_timers_get_a_file_of_their_own_beside_the_pipelines(string pipeline, string timers) =>
        Assert.Equal(timers, SchedulingRegistration.TimersDatabase(pipeline));
}
