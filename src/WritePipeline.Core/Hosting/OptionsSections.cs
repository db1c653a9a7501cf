using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WritePipeline.Collections;

namespace WritePipeline.Hosting;

/// <summary>
/// Each section of <see cref="WritePipelineOptions"/> as an <see cref="IOptions{TOptions}"/> of its own, so that a
/// feature reads only its section. A section is projected from the validated whole, never bound again: the whole is
/// what start-up checks (some checks span sections), and what a test configures reaches every section.
/// </summary>
public static class OptionsSections
{
    /// <summary>Every section, over whatever registers <see cref="IOptions{TOptions}"/> of the whole (binding, or a test's <c>Options.Create</c>).</summary>
    public static IServiceCollection AddWritePipelineOptionsSections(this IServiceCollection services) => services
        .AddOptionsSection(o => o.Transport)
        .AddOptionsSection(o => o.Database)
        .AddOptionsSection(o => o.Worker)
        .AddOptionsSection(o => o.Api)
        .AddOptionsSection(o => o.Clients)
        .AddOptionsSection(o => o.Operators)
        .AddOptionsSection(o => o.OperatorConsole)
        .AddOptionsSection(o => o.Conflicts)
        .AddOptionsSection(o => o.Webhooks)
        .AddOptionsSection(o => o.Scheduling)
        .AddOptionsSection(o => o.Archive)
        .AddOptionsSection(o => o.BulkActions)
        .AddOptionsSection(o => o.Sweeper)
        .AddOptionsSection(o => o.Idempotency)
        .AddOptionsSection(o => o.Telemetry)
        .AddOptionsSection<IReadOnlyDictionary<string, CollectionOptions>>(o => o.Collections);

    /// <summary>One section, read from the whole the first time it is asked for (which checks the whole, if it was not yet).</summary>
    public static IServiceCollection AddOptionsSection<TSection>(this IServiceCollection services, Func<WritePipelineOptions, TSection> section)
        where TSection : class
    {
        services.TryAddSingleton<IOptions<TSection>>(provider => Options.Create(section(provider.GetRequiredService<IOptions<WritePipelineOptions>>().Value)));
        return services;
    }
}
