using WritePipeline.Dashboard;
using WritePipeline.Partitioning;

namespace WritePipeline.OperatorConsole.Pages;

public sealed class DashboardModel(PipelineMetrics metrics, PartitionOwners owners) : ConsolePageModel
{
    public DashboardSnapshot? Snapshot { get; private set; }

    public PartitionOwnersSnapshot? Owners { get; private set; }

    public async Task OnGetAsync(int? minutes)
    {
        Snapshot = await metrics.ReadAsync(Math.Clamp(minutes ?? PipelineMetrics.DefaultMinutes, PipelineMetrics.MinMinutes, PipelineMetrics.MaxMinutes), HttpContext.RequestAborted);
        Owners = await owners.ReadAsync(HttpContext.RequestAborted);
    }
}
