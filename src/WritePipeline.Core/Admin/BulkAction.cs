using System.Text.Json;

namespace WritePipeline.Admin;

/// <summary>One action taken on many writes (a selection, or every write of a group), with its progress.</summary>
public sealed class BulkAction
{
    public Guid Id { get; set; }

    public required string Actor { get; set; }

    /// <summary>A decision (<see cref="Contracts.ResolutionActions"/>) or <c>restore</c>.</summary>
    public required string Action { get; set; }

    public string? Reason { get; set; }

    /// <summary>What was selected, readable: "3 selected writes", "group orders / version_mismatch".</summary>
    public required string Scope { get; set; }

    /// <summary>JSON array of the write ids, in the order they are acted on (per key, the order they were submitted).</summary>
    public required string WriteIds { get; set; }

    public int Total { get; set; }

    public int Done { get; set; }

    public int Taken { get; set; }

    public int Refused { get; set; }

    /// <summary>JSON array of <see cref="BulkItemOutcome"/> for the writes that were not taken.</summary>
    public string? Problems { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The writes not taken so far, as <see cref="Problems"/> holds them.</summary>
    public List<BulkItemOutcome> ReadProblems() =>
        Problems is null ? [] : JsonSerializer.Deserialize<List<BulkItemOutcome>>(Problems, JsonSerializerOptions.Web) ?? [];
}

public sealed record BulkItemOutcome(Guid WriteId, string Outcome, string Detail);
