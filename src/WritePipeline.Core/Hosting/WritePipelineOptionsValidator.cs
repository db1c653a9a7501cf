using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WritePipeline.Collections;

namespace WritePipeline.Hosting;

/// <summary>Checks the options as a whole at start-up, so a bad configuration stops the host instead of a write.</summary>
/// <param name="environment">Where relative schema file paths start (its content root); the current directory without it.</param>
/// <param name="configuration">The configuration the options were bound from, for what binding loses.</param>
/// <remarks>
/// Each section checks itself (its <c>Validate</c>); what is here spans sections. The DataAnnotations attributes
/// (<c>[Range]</c>, ...) are checked by <see cref="WritePipelineOptionsAnnotations"/>.
/// </remarks>
public sealed class WritePipelineOptionsValidator(IHostEnvironment? environment = null, IConfiguration? configuration = null) : IValidateOptions<WritePipelineOptions>
{
    public ValidateOptionsResult Validate(string? name, WritePipelineOptions options)
    {
        var failures = new List<string>();
        if (options.Partitions is < 1 or > 1024)
        {
            failures.Add("WritePipeline:Partitions must be 1 to 1024.");
        }

        failures.AddRange(options.Worker.Validate());
        failures.AddRange(options.Database.Validate());
        if (options.Transport.Kind == TransportKind.InMemory && !options.Worker.Enabled)
        {
            failures.Add("WritePipeline:Worker:Enabled must be true with the InMemory transport: its queues exist only in this process, so nothing else could apply the writes.");
        }

        failures.AddRange(options.Idempotency.Validate());
        failures.AddRange(options.Sweeper.Validate());
        failures.AddRange(options.Api.Validate());
        failures.AddRange(options.Clients.Validate());
        failures.AddRange(options.Telemetry.Validate());
        failures.AddRange(options.Webhooks.Validate());
        failures.AddRange(options.Transport.Validate());
        failures.AddRange(CollectionOptionsValidation.Validate(options.Collections, environment?.ContentRootPath ?? Directory.GetCurrentDirectory()));
        if (configuration is not null)
        {
            failures.AddRange(CollectionOptionsValidation.SchemasGivenAsObjects(configuration.GetSection(WritePipelineOptions.SectionName)));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// The DataAnnotations attributes of the options and, through <see cref="ValidateObjectMembersAttribute"/>, of every
/// section: <c>ValidateDataAnnotations</c> checks only the top level, so a section's <c>[Range]</c> went unchecked.
/// </summary>
[OptionsValidator]
public sealed partial class WritePipelineOptionsAnnotations : IValidateOptions<WritePipelineOptions>;
