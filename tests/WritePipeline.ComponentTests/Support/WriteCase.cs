using WritePipeline.Contracts;

namespace WritePipeline.ComponentTests.Support;

/// <summary>
/// Deliveries to hand a partition's applier, in order; the writes an older API version had recorded before sending them
/// (most reach the worker without a row, which records them), and of those the ones it then marked rejected because
/// the broker did not confirm them (the message arrived all the same).
/// </summary>
public sealed record WriteCase(IReadOnlyList<ApplyWrite> Deliveries, IReadOnlyList<ApplyWrite> Recorded, IReadOnlyList<Guid> Rejected)
{
    readonly Dictionary<Guid, string> _labels = Deliveries
        .Select(d => d.WriteId)
        .Distinct()
        .Select((id, index) => (id, label: $"w{index + 1}"))
        .ToDictionary(x => x.id, x => x.label);

    /// <summary>w1, w2, … in the order the writes were first delivered: what a printed case and a difference call them.</summary>
    public string Label(Guid? writeId) => writeId is not { } id ? "-" : _labels.GetValueOrDefault(id) ?? id.ToString();
}
