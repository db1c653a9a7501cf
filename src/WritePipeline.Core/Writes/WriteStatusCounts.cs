using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;

namespace WritePipeline.Writes;

/// <summary>How many writes are in a status, and when the oldest of them was submitted.</summary>
public sealed record WriteStatusCount(string Status, int Count, DateTimeOffset Oldest);

/// <summary>Writes counted by status across the whole pipeline, for the dashboard and the gauges.</summary>
public static class WriteStatusCounts
{
    /// <summary>One count per status of <paramref name="statuses"/> that has writes (a status with none is left out), in one query.</summary>
    public static Task<List<WriteStatusCount>> ReadAsync(WritePipelineDbContext db, string[] statuses, CancellationToken cancellationToken) =>
        db.Writes.AsNoTracking()
            .Where(w => statuses.Contains(w.Status))
            .GroupBy(w => w.Status)
            .Select(g => new WriteStatusCount(g.Key, g.Count(), g.Min(w => w.SubmittedAt)))
            .ToListAsync(cancellationToken);
}
