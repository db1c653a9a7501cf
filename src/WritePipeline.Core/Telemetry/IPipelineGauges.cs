using System.Diagnostics.Metrics;

namespace WritePipeline.Telemetry;

/// <summary>
/// A feature's gauges, created on the pipeline's meter when it is built: the feature knows where its figures are, so
/// the meter needs to know no feature. Registered as singletons by the features.
/// </summary>
public interface IPipelineGauges
{
    void Create(Meter meter);
}
