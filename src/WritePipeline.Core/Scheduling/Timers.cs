using Quartz;

namespace WritePipeline.Scheduling;

/// <summary>
/// One-shot timers on Quartz's clustered job store: kept in the database, so they survive restarts, and fired by
/// exactly one node of the cluster. A timer is a job with one trigger, both named after what they are for.
/// </summary>
public sealed class Timers(ISchedulerFactory schedulers)
{
    public const string Group = "writepipeline";

    public async Task SetAsync<TJob>(string name, DateTimeOffset at, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken)
        where TJob : IJob
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<TJob>()
            .WithIdentity(name, Group)
            .UsingJobData(new JobDataMap(data.ToDictionary(p => p.Key, p => (object?)p.Value)))
            // A node that dies while firing it: another node fires it again.
            .RequestRecovery()
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(name, Group)
            .StartAt(at)
            .WithSimpleSchedule(schedule => schedule.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }

    /// <summary>A timer that fires every <paramref name="interval"/>, once in the cluster; setting it again replaces it.</summary>
    public async Task SetRecurringAsync<TJob>(string name, TimeSpan interval, CancellationToken cancellationToken)
        where TJob : IJob
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<TJob>().WithIdentity(name, Group).StoreDurably().Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(name, Group)
            .StartNow()
            .WithSimpleSchedule(schedule => schedule.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }

    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        return await scheduler.Exists(new TriggerKey(name, Group), cancellationToken);
    }
}
