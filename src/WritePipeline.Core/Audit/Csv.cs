using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace WritePipeline.Audit;

/// <summary>RFC 4180 CSV, safe to open in a spreadsheet.</summary>
public static class Csv
{
    /// <summary>Answers with a CSV download named after <paramref name="name"/> and the time, written by <paramref name="write"/>; every export uses it.</summary>
    public static async Task DownloadAsync(HttpContext http, string name, Func<TextWriter, Task> write)
    {
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv\"";
        await using var output = new StreamWriter(http.Response.Body, new UTF8Encoding(false));
        await write(output);
    }

    public static async Task WriteRowAsync(TextWriter output, IReadOnlyList<string?> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                await output.WriteAsync(',');
            }

            await output.WriteAsync(Cell(cells[i]));
        }

        await output.WriteAsync("\r\n");
    }

    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        // Keys and documents come from API clients: a cell starting with = + - @ would run as a formula in a
        // spreadsheet (CSV injection), so it is prefixed with a quote mark and read as text.
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
