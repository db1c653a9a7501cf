using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WritePipeline.Hosting;

namespace WritePipeline.UnitTests.Hosting;

/// <summary>A section's own attributes (<c>[Range]</c>, ...) are checked at start-up, however deep the section.</summary>
public class NestedOptionsValidationTests
{
    [Theory]
    [InlineData("Webhooks:Jitter", "1.5", "Webhooks.Jitter")]
    [InlineData("Clients:RateLimit:Burst", "0", "Clients.RateLimit.Burst")]
    [InlineData("Transport:RabbitMq:Port", "70000", "Transport.RabbitMq.Port")]
    public async Task A_value_out_of_its_range_in_a_section_stops_start_up(string setting, string value, string named)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"{WritePipelineOptions.SectionName}:{setting}"] = value });
        builder.Services.AddWritePipelineOptions(builder.Configuration.GetSection(WritePipelineOptions.SectionName));
        using var host = builder.Build();

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
        Assert.Contains("must be between", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_meet_every_sections_attributes() =>
        Assert.True(new WritePipelineOptionsAnnotations().Validate(null, new WritePipelineOptions()).Succeeded);
}
