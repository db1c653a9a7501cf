using System.Globalization;
using System.Text.RegularExpressions;

namespace WritePipeline.IntegrationTests.Support;

/// <summary>Reads a host's <c>/metrics</c> (Prometheus text format).</summary>
public static partial class PrometheusText
{
    public static async Task<string> ScrapeAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        request.Headers.Accept.ParseAdd("text/plain");
        var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of the series <paramref name="name"/> whose labels include <paramref name="labels"/>; 0 when there is none.</summary>
    public static double Value(string metrics, string name, string labels) =>
        Series().Matches(metrics)
            .Where(m => m.Groups["name"].Value == name && m.Groups["labels"].Value.Contains(labels, StringComparison.Ordinal))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    /// <summary>Whether a series <paramref name="name"/> with labels including <paramref name="labels"/> is there.</summary>
    public static bool Has(string metrics, string name, string labels) =>
        Series().Matches(metrics).Any(m => m.Groups["name"].Value == name && m.Groups["labels"].Value.Contains(labels, StringComparison.Ordinal));

    [GeneratedRegex(@"^(?<name>[a-z_]+)(\{(?<labels>[^}]*)\})? (?<value>[0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex Series();
}
