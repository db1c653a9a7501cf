using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Npgsql;
using WritePipeline.Testing;

namespace WritePipeline.Benchmarks.Reporting;

/// <summary>What the figures were measured on: they mean little without it.</summary>
public static class Machine
{
    public static async Task<JsonObject> DescribeAsync()
    {
        return new JsonObject
        {
            ["cores"] = Environment.ProcessorCount,
            ["memory_mb"] = MemoryMegabytes(),
            ["cpu"] = CpuModel(),
            ["os"] = RuntimeInformation.OSDescription,
            ["dotnet"] = RuntimeInformation.FrameworkDescription,
            ["rabbitmq"] = await Safely(RabbitMqVersionAsync),
            ["postgresql"] = await Safely(PostgreSqlVersionAsync),
        };
    }

    public static string Line(JsonObject machine) =>
        $"machine: {machine["cores"]} cores ({machine["cpu"]}), {machine["memory_mb"]} MB memory, {machine["os"]}, {machine["dotnet"]}, " +
        $"RabbitMQ {machine["rabbitmq"]}, PostgreSQL {machine["postgresql"]}";

    static long? MemoryMegabytes()
    {
        // "MemTotal:       24684540 kB"
        var line = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) : null;
        return line is null ? null : long.Parse(line["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
    }

    static string? CpuModel()
    {
        var line = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) : null;
        return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
    }

    static async Task<string?> RabbitMqVersionAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{TestVirtualHost.Host}:15672/"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        var overview = JsonNode.Parse(await http.GetStringAsync("api/overview"));
        return overview?["rabbitmq_version"]?.GetValue<string>();
    }

    static async Task<string?> PostgreSqlVersionAsync()
    {
        await using var connection = new NpgsqlConnection(TestDatabase.PostgresServer);
        await connection.OpenAsync();
        return connection.PostgreSqlVersion.ToString();
    }

    static async Task<string?> Safely(Func<Task<string?>> read)
    {
        try
        {
            return await read();
        }
        catch (Exception ex) when (ex is HttpRequestException or NpgsqlException or TaskCanceledException)
        {
            return "unreachable";
        }
    }
}
