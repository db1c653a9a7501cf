using System.Globalization;
using System.Text;
using CsvHelper;

namespace WritePipeline.Audit;

/// <summary>RFC 4180 CSV (CsvHelper), safe to open in a spreadsheet.</summary>
public static class Csv
{
    static readonly CsvWriterOptions Options = CsvWriterOptions.Default with { NewLine = "\r\n" };

    /// <summary>A writer of CSV records onto <paramref name="output"/>, which stays open; dispose it to write out the last records.</summary>
    public static CsvWriter Writer(TextWriter output) => CsvWriter.Create(output, Options, leaveOpen: true);

    /// <summary>The media type of an export.</summary>
    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>The <c>Content-Disposition</c> of an export named after <paramref name="name"/> and the time; every export uses it.</summary>
    public static string Attachment(string name) =>
        $"attachment; filename=\"{name}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv\"";

    /// <summary>Writes an export onto <paramref name="body"/> (UTF-8, no byte order mark) with <paramref name="write"/>.</summary>
    public static async Task WriteAsync(Stream body, Func<TextWriter, Task> write)
    {
        await using var output = new StreamWriter(body, new UTF8Encoding(false));
        await write(output);
    }

    /// <summary>Writes one record of <paramref name="cells"/>, each guarded against formulas.</summary>
    public static ValueTask WriteRowAsync(CsvWriter csv, IReadOnlyList<string?> cells) => csv.WriteRecordAsync([.. cells.Select(Guarded)]);

    public static async Task WriteRowAsync(TextWriter output, IReadOnlyList<string?> cells)
    {
        await using var csv = Writer(output);
        await WriteRowAsync(csv, cells);
    }

    public static string Cell(string? value)
    {
        using var text = new StringWriter();
        using var csv = Writer(text);
        csv.WriteField(Guarded(value));
        csv.Flush();
        return text.ToString();
    }

    // Keys and documents come from API clients: a cell starting with = + - @ tab or CR would run as a formula in a
    // spreadsheet (CSV injection), so it is prefixed with a quote mark and read as text. By hand: CsvHelper's
    // CsvInjection.Escape also quotes every such cell, which would change the exports' bytes ('=x became "'=x").
    static string? Guarded(string? value) => value is { Length: > 0 } && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
}
