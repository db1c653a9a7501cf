using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WritePipeline.Benchmarks.Reporting;

/// <summary>A goal a figure is held against, as the issue states it.</summary>
public sealed record Goal(string Text, Func<double, bool> IsMet)
{
    public static Goal AtLeast(double value) => new(FormattableString.Invariant($">= {value}"), v => v >= value);

    public static Goal AtMost(double value) => new(FormattableString.Invariant($"<= {value}"), v => v <= value);

    public static Goal Below(double value) => new(FormattableString.Invariant($"< {value}"), v => v < value);

    public static Goal Exactly(double value) => new(FormattableString.Invariant($"= {value}"), v => v == value);
}

/// <summary>One line of the human table.</summary>
public sealed record Row(string Scenario, string Figure, double? Value, string Unit, Goal? Goal = null);

/// <summary>
/// What a run found: per scenario a JSON object of figures (the machine-readable last line) and rows for the human
/// table, plus the checks that failed (a lost write, a scenario that threw), which make the run exit non-zero.
/// </summary>
public sealed class Report
{
    readonly JsonObject _figures = new();
    readonly List<Row> _rows = [];
    readonly List<string> _failures = [];

    public IReadOnlyList<string> Failures => _failures;

    public void Add(string key, JsonObject figures, IEnumerable<Row> rows)
    {
        _figures[key] = figures;
        _rows.AddRange(rows);
    }

    /// <summary>A check that must hold for the figures to mean anything; a failed one is reported, not hidden.</summary>
    public void Check(bool holds, string scenario, string what)
    {
        if (!holds)
        {
            _failures.Add($"{scenario}: {what}");
            Console.Error.WriteLine($"CHECK FAILED {scenario}: {what}");
        }
    }

    public void Failed(string scenario, Exception error)
    {
        _figures[scenario] = new JsonObject { ["error"] = error.Message };
        _failures.Add($"{scenario}: {error.GetType().Name}: {error.Message}");
    }

    public void PrintTable(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"{"scenario",-14} {"figure",-24} {"value",12} {"unit",-8} {"goal",-9} result");
        output.WriteLine(new string('-', 78));
        foreach (var row in _rows)
        {
            var value = row.Value is { } v && double.IsFinite(v) ? v.ToString(Math.Abs(v) >= 100 ? "0" : Math.Abs(v) >= 1 ? "0.0" : "0.###", CultureInfo.InvariantCulture) : "-";
            var result = row.Goal is null || row.Value is not { } measured || !double.IsFinite(measured) ? string.Empty : row.Goal.IsMet(measured) ? "met" : "MISSED";
            output.WriteLine($"{row.Scenario,-14} {row.Figure,-24} {value,12} {row.Unit,-8} {row.Goal?.Text ?? string.Empty,-9} {result}");
        }

        foreach (var failure in _failures)
        {
            output.WriteLine($"FAILED {failure}");
        }
    }

    /// <summary>The figures as one line of JSON, scenarios first, then <paramref name="context"/>'s entries.</summary>
    public string Json(JsonObject context)
    {
        var json = new JsonObject();
        foreach (var (key, value) in _figures)
        {
            json[key] = value?.DeepClone();
        }

        foreach (var (key, value) in context)
        {
            json[key] = value?.DeepClone();
        }

        json["failures"] = new JsonArray(_failures.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray());
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    /// <summary>A figure rounded for the report (JSON numbers never carry NaN: no figure is null).</summary>
    public static JsonNode? Number(double? value, int decimals = 1) =>
        value is { } v && double.IsFinite(v) ? JsonValue.Create(Math.Round(v, decimals)) : null;
}

public static class Percentiles
{
    /// <summary>Nearest-rank percentile: a value some sample really had.</summary>
    public static double Of(IEnumerable<double> samples, double percentile)
    {
        var sorted = samples.Order().ToArray();
        return sorted.Length == 0
            ? double.NaN
            : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
