using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace WritePipeline.Conflicts.SagaActivities;

/// <summary>
/// A test-only fault point: with the environment variable <see cref="Variable"/> set to <c>1</c>, the process kills
/// itself (SIGKILL) right after a decision's saga transaction committed and before its <c>ApplyResolution</c> is sent,
/// which is where a lost decision is made (docs/operations.md, "Fault points"). Off unless set; read once.
/// </summary>
public sealed class DecisionFaultPoint(ILogger<DecisionFaultPoint> logger)
{
    public const string Variable = "WRITEPIPELINE_FAULT_KILL_AFTER_DECISION_COMMIT";

    readonly bool _armed = Environment.GetEnvironmentVariable(Variable) == "1";

    public void AfterDecisionCommitted(Guid writeId)
    {
        if (!_armed)
        {
            return;
        }

        logger.LogCritical("Fault point {Variable}: killing this process after the decision about {WriteId} committed, before it is sent", Variable, writeId);
        Process.GetCurrentProcess().Kill();
    }
}
