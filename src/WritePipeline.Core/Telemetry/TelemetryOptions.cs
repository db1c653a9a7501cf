namespace WritePipeline.Telemetry;

public sealed class TelemetryOptions
{
    /// <summary>
    /// How old the database's figures behind the gauges (waiting writes, saga states) may be before a scrape reads them
    /// again; they are read only when something scrapes or exports, at most this often.
    /// </summary>
    public TimeSpan GaugeInterval { get; set; } = TimeSpan.FromSeconds(15);
}
