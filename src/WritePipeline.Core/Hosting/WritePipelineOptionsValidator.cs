using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WritePipeline.Collections;

namespace WritePipeline.Hosting;

/// <summary>Checks the options as a whole at start-up, so a bad configuration stops the host instead of a write.</summary>
/// <param name="environment">Where relative schema file paths start (its content root); the current directory without it.</param>
/// <param name="configuration">The configuration the options were bound from, for what binding loses.</param>
public sealed class WritePipelineOptionsValidator(IHostEnvironment? environment = null, IConfiguration? configuration = null) : IValidateOptions<WritePipelineOptions>
{
    public ValidateOptionsResult Validate(string? name, WritePipelineOptions options)
    {
        var failures = new List<string>();
        if (options.Partitions is < 1 or > 1024)
        {
            failures.Add("WritePipeline:Partitions must be 1 to 1024.");
        }

        if (options.Worker.RetryMinimumDelay <= TimeSpan.Zero || options.Worker.RetryMaximumDelay < options.Worker.RetryMinimumDelay)
        {
            failures.Add("WritePipeline:Worker:RetryMinimumDelay must be positive and no longer than RetryMaximumDelay.");
        }

        if (options.Worker.HeartbeatInterval <= TimeSpan.Zero || options.Worker.LeaseDuration < 3 * options.Worker.HeartbeatInterval)
        {
            failures.Add("WritePipeline:Worker:HeartbeatInterval must be positive and WritePipeline:Worker:LeaseDuration at least three times as long, so that a lease is renewed twice before it can expire.");
        }

        if (options.Worker.StopGrace < TimeSpan.Zero)
        {
            failures.Add("WritePipeline:Worker:StopGrace must not be negative.");
        }

        if (options.Transport.Kind == TransportKind.InMemory && !options.Worker.Enabled)
        {
            failures.Add("WritePipeline:Worker:Enabled must be true with the InMemory transport: its queues exist only in this process, so nothing else could apply the writes.");
        }

        if (options.Idempotency.Retention < TimeSpan.FromHours(24) || options.Idempotency.ReleaseInterval <= TimeSpan.Zero)
        {
            failures.Add("WritePipeline:Idempotency:Retention must be at least 24 hours (clients retry for that long) and Idempotency:ReleaseInterval positive.");
        }

        if (options.Sweeper.UnconfirmedAfter < 3 * options.Transport.SendTimeout)
        {
            failures.Add("WritePipeline:Sweeper:UnconfirmedAfter must be at least three times WritePipeline:Transport:SendTimeout: a write is checked only once the API has long given up on sending it.");
        }

        foreach (var proxy in TrustedProxies.Invalid(options.Api.TrustedProxies))
        {
            failures.Add($"WritePipeline:Api:TrustedProxies: '{proxy}' is neither an IP address nor a network (CIDR, e.g. 10.0.0.0/8).");
        }

        if (options.Clients.KeyRefreshInterval <= TimeSpan.Zero || options.Clients.KeyRefreshInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add("WritePipeline:Clients:KeyRefreshInterval must be positive and at most a minute: a new client's key waits that long at its first use.");
        }

        if (options.Telemetry.GaugeInterval <= TimeSpan.Zero)
        {
            failures.Add("WritePipeline:Telemetry:GaugeInterval must be positive.");
        }

        if (options.Sweeper.Interval <= TimeSpan.Zero || options.Sweeper.HandoverAfter < TimeSpan.Zero)
        {
            failures.Add("WritePipeline:Sweeper:Interval must be positive and Sweeper:HandoverAfter not negative.");
        }

        if (options.Transport.RabbitMq.Hosts is { } hosts && !string.IsNullOrWhiteSpace(hosts))
        {
            var (nodes, problems) = RabbitMqOptions.ParseHosts(hosts, options.Transport.RabbitMq.Port);
            failures.AddRange(problems.Select(p => "WritePipeline:Transport:RabbitMq:Hosts: " + p));
            if (problems.Count == 0 && nodes.Count != nodes.Distinct().Count())
            {
                failures.Add("WritePipeline:Transport:RabbitMq:Hosts names a node twice.");
            }
        }

        var webhooks = options.Webhooks;
        if (webhooks.MaxEndpointsPerClient < 1 || webhooks.DeliverySlots < 1 || webhooks.SlotsPerClient < 1 || webhooks.SlotsPerClient > webhooks.DeliverySlots)
        {
            failures.Add("WritePipeline:Webhooks:MaxEndpointsPerClient, DeliverySlots and SlotsPerClient must be at least 1, and SlotsPerClient no more than DeliverySlots.");
        }

        if (options.Transport.SendTimeout <= TimeSpan.Zero)
        {
            failures.Add("WritePipeline:Transport:SendTimeout must be positive.");
        }

        foreach (var (collection, declaration) in options.Collections)
        {
            if (!RecordNames.IsValidCollection(collection))
            {
                failures.Add($"WritePipeline:Collections: '{collection}' is not a valid collection name.");
            }

            failures.AddRange(declaration.UniqueFields.Where(f => !f.StartsWith('/')).Select(f => $"WritePipeline:Collections:{collection}:UniqueFields: '{f}' is not a JSON pointer."));
            foreach (var (field, target) in declaration.References)
            {
                if (!field.StartsWith('/'))
                {
                    failures.Add($"WritePipeline:Collections:{collection}:References: '{field}' is not a JSON pointer.");
                }

                if (!options.Collections.ContainsKey(target))
                {
                    failures.Add($"WritePipeline:Collections:{collection}:References:{field} names '{target}', which is not declared.");
                }
            }

            if (!Conflicts.ConflictPolicies.IsKnown(declaration.ConflictPolicy))
            {
                failures.Add($"WritePipeline:Collections:{collection}:ConflictPolicy must be auto, notify or park.");
            }

            if (declaration.OnConflict is not (CollectionOptions.Hold or CollectionOptions.Continue))
            {
                failures.Add($"WritePipeline:Collections:{collection}:OnConflict must be hold or continue.");
            }

            if (declaration.DeclaresSchema
                && CollectionSchema.Load(collection, declaration.Schema!, environment?.ContentRootPath ?? Directory.GetCurrentDirectory()).Problem is { } schemaProblem)
            {
                failures.Add(schemaProblem);
            }

            if (declaration.ReferenceGrace < TimeSpan.Zero)
            {
                failures.Add($"WritePipeline:Collections:{collection}:ReferenceGrace must not be negative.");
            }
        }

        failures.AddRange(SchemasGivenAsObjects());

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// A schema written as a JSON object inside the configuration (appsettings.json) cannot be bound: configuration
    /// keeps strings only (numbers, booleans and arrays lose their type), and the binder silently drops the whole
    /// collection. Say so instead of running without the collection or its schema.
    /// </summary>
    IEnumerable<string> SchemasGivenAsObjects() =>
        configuration is null
            ? []
            : configuration.GetSection(WritePipelineOptions.SectionName).GetSection("Collections").GetChildren()
                .Where(collection => collection.GetSection("Schema").GetChildren().Any())
                .Select(collection => $"WritePipeline:Collections:{collection.Key}:Schema is a JSON object inside the configuration, which cannot keep its types: give the schema as a string holding the JSON, or as the path of a file holding it.");
}
