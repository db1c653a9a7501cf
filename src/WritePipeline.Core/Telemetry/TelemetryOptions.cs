namespace WritePipeline.Telemetry;

public sealed class TelemetryOptions
{
    /// <summary>
    /// How old the database's figures behind the gauges (waiting writes, saga states) may be before a scrape reads them
    /// again; they are read only when something scrapes or exports, at most this often.
    /// </summary>
    public TimeSpan GaugeInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>What start-up refuses in this section, each as a message naming the setting's full path.</summary>
    public IEnumerable<string> Validate()
    {
        if (GaugeInterval <= TimeSpan.Zero)
        {
            yield return "WritePipeline:Telemetry:GaugeInterval must be positive.";
        }
    }
}
