using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WritePipeline.Hosting;
using WritePipeline.Partitioning;
using WritePipeline.Webhooks;

namespace WritePipeline.UnitTests.Hosting;

/// <summary>Each options section on its own (what a feature reads) is the section of the bound and checked whole.</summary>
public sealed class OptionsSectionsTests
{
    static ServiceProvider Services(Dictionary<string, string?> settings, Action<IServiceCollection>? more = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddWritePipelineOptions(configuration.GetSection(WritePipelineOptions.SectionName));
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void A_section_is_the_wholes_with_what_was_configured_after_binding()
    {
        using var provider = Services(
            new() { ["WritePipeline:Worker:MaxBatchSize"] = "7" },
            services => services.PostConfigure<WritePipelineOptions>(o => o.Webhooks.MaxEndpointsPerClient = 3));

        var whole = provider.GetRequiredService<IOptions<WritePipelineOptions>>().Value;
        Assert.Equal(7, provider.GetRequiredService<IOptions<WorkerOptions>>().Value.MaxBatchSize);
        Assert.Equal(3, provider.GetRequiredService<IOptions<WebhookOptions>>().Value.MaxEndpointsPerClient);
        Assert.Same(whole.Worker, provider.GetRequiredService<IOptions<WorkerOptions>>().Value);
    }

    [Fact]
    public void A_section_of_a_whole_that_fails_a_check_across_sections_is_not_read()
    {
        using var provider = Services(new() { ["WritePipeline:Transport:Kind"] = "InMemory", ["WritePipeline:Worker:Enabled"] = "false" });

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<WorkerOptions>>().Value);

        Assert.Contains("WritePipeline:Worker:Enabled must be true with the InMemory transport", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_section_is_registered_on_its_own()
    {
        var services = new ServiceCollection().AddWritePipelineOptionsSections();
        var registered = services.Select(s => s.ServiceType).Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IOptions<>)).Select(t => t.GetGenericArguments()[0]).ToList();

        var sections = typeof(WritePipelineOptions).GetProperties().Where(p => !p.PropertyType.IsValueType).ToList();

        Assert.NotEmpty(sections);
        Assert.All(sections, section => Assert.Contains(registered, type => type.IsAssignableFrom(section.PropertyType)));
    }
}
