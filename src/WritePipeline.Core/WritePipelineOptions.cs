using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using WritePipeline.Admin;
using WritePipeline.Clients;
using WritePipeline.Collections;
using WritePipeline.Conflicts;
using WritePipeline.Operators;
using WritePipeline.Partitioning;
using WritePipeline.Scheduling;
using WritePipeline.Webhooks;
using WritePipeline.Writes;

namespace WritePipeline;

/// <summary>Everything the pipeline reads from configuration, bound from the <c>WritePipeline</c> section.</summary>
/// <remarks>
/// Each section lives in the folder of the feature it configures. A section's DataAnnotations attributes are checked
/// only if its property here has <see cref="ValidateObjectMembersAttribute"/> (the build says when one has nothing to check).
/// </remarks>
public sealed class WritePipelineOptions
{
    public const string SectionName = "WritePipeline";

    /// <summary>
    /// Number of partitions. Fixed for the life of a deployment: a key's partition is its hash modulo this
    /// number, so changing it while writes are queued would move keys between queues and break their order.
    /// </summary>
    [Range(1, 1024)]
    public int Partitions { get; set; } = 8;

    [ValidateObjectMembers]
    public TransportOptions Transport { get; set; } = new();

    public DatabaseOptions Database { get; set; } = new();

    [ValidateObjectMembers]
    public WorkerOptions Worker { get; set; } = new();

    [ValidateObjectMembers]
    public ApiOptions Api { get; set; } = new();

    [ValidateObjectMembers]
    public ClientsOptions Clients { get; set; } = new();

    [ValidateObjectMembers]
    public OperatorsOptions Operators { get; set; } = new();

    public ConflictOptions Conflicts { get; set; } = new();

    [ValidateObjectMembers]
    public WebhookOptions Webhooks { get; set; } = new();

    [ValidateObjectMembers]
    public SchedulingOptions Scheduling { get; set; } = new();

    public ArchiveOptions Archive { get; set; } = new();

    [ValidateObjectMembers]
    public OperatorConsoleOptions OperatorConsole { get; set; } = new();

    public BulkActionOptions BulkActions { get; set; } = new();

    public SweeperOptions Sweeper { get; set; } = new();

    public IdempotencyOptions Idempotency { get; set; } = new();

    public Telemetry.TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>Declared collections by name. When none are configured, <see cref="CollectionCatalog.Defaults"/> apply.</summary>
    public Dictionary<string, CollectionOptions> Collections { get; set; } = new(StringComparer.Ordinal);
}
