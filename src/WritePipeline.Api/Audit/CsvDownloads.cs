namespace WritePipeline.Audit;

/// <summary>The admin API's CSV exports as downloads (<see cref="Csv"/>: the format, the name, the encoding).</summary>
public static class CsvDownloads
{
    /// <summary>Answers with a CSV export named after <paramref name="name"/>, written by <paramref name="write"/>.</summary>
    public static Task WriteAsync(HttpContext http, string name, Func<TextWriter, Task> write)
    {
        http.Response.ContentType = Csv.ContentType;
        http.Response.Headers.ContentDisposition = Csv.Attachment(name);
        return Csv.WriteAsync(http.Response.Body, write);
    }
}
