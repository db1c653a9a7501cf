using WritePipeline.Dashboard;

namespace WritePipeline.OperatorConsole.Pages;

public sealed class DashboardModel(PipelineMetrics metrics) : ConsolePageModel
{
    public DashboardSnapshot? Snapshot { get; private set; }

    public async Task OnGetAsync(int? minutes) =>
        Snapshot = await metrics.ReadAsync(Math.Clamp(minutes ?? PipelineMetrics.DefaultMinutes, PipelineMetrics.MinMinutes, PipelineMetrics.MaxMinutes), HttpContext.RequestAborted);
}
