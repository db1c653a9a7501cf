using WritePipeline.Telemetry;

namespace WritePipeline.Writes;

/// <summary>What a partition step did to a write, counted on the pipeline's meter.</summary>
public static class WriteOutcomeMetrics
{
    /// <summary>
    /// Counts <paramref name="result"/>; the time since the write's submission only for a write applied in its turn
    /// (<paramref name="inTurn"/>): one that waited for a person's decision would measure the person.
    /// </summary>
    public static void Outcome(this PipelineMeter meter, ApplyResult result, DateTimeOffset now, bool inTurn = true)
    {
        if (result.Write is not { } write)
        {
            return;
        }

        switch (result.Outcome)
        {
            case ApplyOutcome.Applied:
                meter.Applied(write.Collection, write.Operation, inTurn ? now - write.SubmittedAt : null);
                break;
            case ApplyOutcome.Conflicted:
                meter.Conflicted(write.Collection, write.Operation);
                break;
            case ApplyOutcome.Failed:
                meter.Failed(write.Collection, write.Operation);
                break;
        }
    }
}
