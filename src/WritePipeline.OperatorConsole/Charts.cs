using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace WritePipeline.OperatorConsole;

/// <summary>One series of a chart: a name, a colour and a value per point.</summary>
public sealed record ChartSeries(string Name, string Color, IReadOnlyList<double> Values);

/// <summary>
/// Charts drawn on the server as inline SVG: no script library to ship or load, and every page works the same in a
/// browser test as in a person's browser.
/// </summary>
public static class Charts
{
    const int Width = 640;
    const int Height = 180;
    const int Left = 40;
    const int Bottom = 22;

    /// <summary>Lines over time, one per series, with the first and last label under the axis.</summary>
    public static IHtmlContent Lines(string title, IReadOnlyList<string> labels, params ChartSeries[] series)
    {
        var max = Math.Max(1, series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max());
        var plotWidth = Width - Left - 10;
        var plotHeight = Height - Bottom - 10;
        var svg = Open(title, Height);
        Axis(svg, max, plotHeight);
        foreach (var s in series)
        {
            var points = string.Join(' ', s.Values.Select((v, i) => Point(
                Left + (s.Values.Count == 1 ? 0 : plotWidth * i / (double)(s.Values.Count - 1)),
                10 + plotHeight - plotHeight * v / max)));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\" points=\"{points}\"><title>{Encode(s.Name)}</title></polyline>");
        }

        if (labels.Count > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Height - 6}\">{Encode(labels[0])}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - 10}\" y=\"{Height - 6}\" text-anchor=\"end\">{Encode(labels[^1])}</text>");
        }

        Legend(svg, series);
        return Close(svg);
    }

    /// <summary>Horizontal bars, one per label (e.g. queue depth per partition).</summary>
    public static IHtmlContent Bars(string title, IReadOnlyList<(string Label, double Value)> bars, string color)
    {
        const int row = 20;
        var height = Math.Max(1, bars.Count) * row + 10;
        var max = Math.Max(1, bars.Select(b => b.Value).DefaultIfEmpty(0).Max());
        // Drawn at its own size: scaled to the page width its labels would grow with it.
        var svg = Open(title, height, fixedWidth: true);
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value) = bars[i];
            var y = 5 + i * row;
            var width = (Width - 200) * value / max;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 13}\">{Encode(label)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"140\" y=\"{y + 2}\" width=\"{Math.Max(1, width):0.#}\" height=\"{row - 6}\" fill=\"{color}\"><title>{Encode(label)}: {value}</title></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{146 + width:0.#}\" y=\"{y + 13}\">{value.ToString(CultureInfo.InvariantCulture)}</text>");
        }

        return Close(svg);
    }

    static StringBuilder Open(string title, int height, bool fixedWidth = false) => new StringBuilder()
        .Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-label=\"{Encode(title)}\" viewBox=\"0 0 {Width} {height}\" width=\"{(fixedWidth ? Width.ToString(CultureInfo.InvariantCulture) : "100%")}\" preserveAspectRatio=\"xMinYMin meet\"><title>{Encode(title)}</title>");

    static void Axis(StringBuilder svg, double max, int plotHeight)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{10 + plotHeight}\" x2=\"{Width - 10}\" y2=\"{10 + plotHeight}\" stroke=\"#d9dee7\" />");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"16\" text-anchor=\"end\">{max.ToString("0.##", CultureInfo.InvariantCulture)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{10 + plotHeight}\" text-anchor=\"end\">0</text>");
    }

    static void Legend(StringBuilder svg, ChartSeries[] series)
    {
        for (var i = 0; i < series.Length; i++)
        {
            var x = Left + 10 + i * 130;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"2\" width=\"10\" height=\"10\" fill=\"{series[i].Color}\" /><text x=\"{x + 14}\" y=\"11\">{Encode(series[i].Name)}</text>");
        }
    }

    static HtmlString Close(StringBuilder svg) => new(svg.Append("</svg>").ToString());

    static string Point(double x, double y) => string.Create(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#}");

    static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
