using System.Collections;
using System.Reflection;
using YamlDotNet.RepresentationModel;

namespace WritePipeline.UnitTests.Hosting;

/// <summary>docker-compose.yml cannot run here (no Docker engine), so it is checked by reading it.</summary>
public class DeploymentFilesTests
{
    static readonly string[] HostSettings = ["ASPNETCORE_ENVIRONMENT", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_URLS"];

    static YamlMappingNode Services()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root!.FullName, "docker-compose.yml")))
        {
            root = root.Parent;
        }

        var yaml = new YamlStream();
        using var reader = File.OpenText(Path.Combine(root.FullName, "docker-compose.yml"));
        yaml.Load(reader);
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }

    [Fact]
    public void Compose_declares_the_broker_the_database_the_api_and_the_worker()
    {
        var services = Services();
        var names = services.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToList();

        Assert.Superset(new HashSet<string?> { "rabbitmq", "sqlserver", "api", "worker" }, names.ToHashSet());
        Assert.Contains("management", ((YamlScalarNode)((YamlMappingNode)services["rabbitmq"])["image"]).Value, StringComparison.Ordinal);
        Assert.Contains("mssql", ((YamlScalarNode)((YamlMappingNode)services["sqlserver"])["image"]).Value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api")]
    [InlineData("worker")]
    [InlineData("migrate")]
    public void Every_environment_variable_of_a_pipeline_service_is_a_configuration_key_the_app_reads(string service)
    {
        var environment = (YamlMappingNode)((YamlMappingNode)Services()[service])["environment"];
        var known = ConfigurationKeys();

        var variables = environment.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Where(k => k != "<<").ToList();
        variables.AddRange(((YamlMappingNode)environment["<<"]).Children.Keys.Select(k => ((YamlScalarNode)k).Value!));

        Assert.Contains("WritePipeline__Transport__Kind", variables);
        Assert.Contains("ConnectionStrings__WritePipeline", variables);
        Assert.All(variables, variable => Assert.True(
            HostSettings.Contains(variable) || known.Contains(variable.Replace("__", ":", StringComparison.Ordinal)),
            $"{service}: {variable} is not a configuration key of the app"));
    }

    /// <summary>Every key the options classes bind, spelled as configuration paths.</summary>
    static HashSet<string> ConfigurationKeys()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "ConnectionStrings:" + global::WritePipeline.Data.DataRegistration.ConnectionStringName };
        Collect(typeof(WritePipelineOptions), WritePipelineOptions.SectionName, keys);
        return keys;
    }

    static void Collect(Type type, string prefix, HashSet<string> keys)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var path = prefix + ":" + property.Name;
            var propertyType = property.PropertyType;
            if (propertyType.IsClass && propertyType != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(propertyType))
            {
                Collect(propertyType, path, keys);
            }
            else
            {
                keys.Add(path);
            }
        }
    }
}
