using System.Net.Http.Headers;
using System.Text;

namespace WritePipeline.Testing;

/// <summary>
/// A brand-new RabbitMQ virtual host for one fixture, created and deleted through the management API, so every
/// fixture starts from a broker that has never seen the topology.
/// </summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    static readonly HttpClient Management = CreateManagementClient();

    TestVirtualHost(string name) => Name = name;

    public string Name { get; }

    public static string Host => Environment.GetEnvironmentVariable("WP_TEST_RABBITMQ_HOST") ?? "127.0.0.1";

    public static async Task<TestVirtualHost> CreateAsync()
    {
        var name = "wp-test-" + Guid.NewGuid().ToString("N")[..12];
        (await Management.PutAsync($"api/vhosts/{name}", null)).EnsureSuccessStatusCode();
        var permissions = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
        (await Management.PutAsync($"api/permissions/{name}/guest", permissions)).EnsureSuccessStatusCode();
        return new TestVirtualHost(name);
    }

    /// <summary>The management API's view of a queue of this vhost (arguments, consumers, message counts).</summary>
    public async Task<string> QueueJsonAsync(string queue) =>
        await Management.GetStringAsync($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");

    /// <summary>Consumers the broker counts on a queue of this vhost right now (0 while the queue does not exist).</summary>
    public async Task<int> ConsumerCountAsync(string queue)
    {
        using var response = await Management.GetAsync($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return 0;
        }

        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.TryGetProperty("consumers", out var consumers) ? consumers.GetInt32() : 0;
    }

    /// <summary>Every queue of this vhost and the messages it holds (ready and unacknowledged).</summary>
    public async Task<List<(string Queue, int Messages)>> QueuesAsync()
    {
        using var json = System.Text.Json.JsonDocument.Parse(await Management.GetStringAsync($"api/queues/{Uri.EscapeDataString(Name)}"));
        return [.. json.RootElement.EnumerateArray()
            .Select(q => (q.GetProperty("name").GetString()!, q.TryGetProperty("messages", out var messages) && messages.ValueKind == System.Text.Json.JsonValueKind.Number ? messages.GetInt32() : 0))];
    }

    /// <summary>The names clients gave their open connections to this vhost (RabbitMQ lists a connection as soon as it opens).</summary>
    public async Task<List<string>> ConnectionNamesAsync()
    {
        using var json = System.Text.Json.JsonDocument.Parse(await Management.GetStringAsync($"api/vhosts/{Uri.EscapeDataString(Name)}/connections"));
        return [.. json.RootElement.EnumerateArray()
            .Select(c => c.TryGetProperty("client_properties", out var properties) && properties.TryGetProperty("connection_name", out var name) ? name.GetString() ?? "" : "")];
    }

    /// <summary>
    /// Closes every client connection of this vhost through the management API, as a network blip or a broker-side
    /// timeout would; returns how many were closed.
    /// </summary>
    public async Task<int> CloseConnectionsAsync()
    {
        using var json = System.Text.Json.JsonDocument.Parse(await Management.GetStringAsync($"api/vhosts/{Uri.EscapeDataString(Name)}/connections"));
        var closed = 0;
        foreach (var connection in json.RootElement.EnumerateArray())
        {
            var name = connection.GetProperty("name").GetString()!;
            using var response = await Management.DeleteAsync($"api/connections/{Uri.EscapeDataString(name)}");
            if (response.IsSuccessStatusCode)
            {
                closed++;
            }
        }

        return closed;
    }

    /// <summary>Removes the binding from an exchange to the queue of the same name: messages to it become unroutable.</summary>
    public async Task UnbindAsync(string exchangeAndQueue) =>
        (await Management.DeleteAsync($"api/bindings/{Uri.EscapeDataString(Name)}/e/{exchangeAndQueue}/q/{exchangeAndQueue}/~")).EnsureSuccessStatusCode();

    public async ValueTask DisposeAsync() => await Management.DeleteAsync($"api/vhosts/{Name}");

    static HttpClient CreateManagementClient()
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://{Host}:15672/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        return client;
    }
}
