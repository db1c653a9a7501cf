using System.Net.Http.Headers;
using System.Text;

namespace WritePipeline.Testing;

/// <summary>
/// A brand-new RabbitMQ virtual host for one fixture, created and deleted through the management API, so every
/// fixture starts from a broker that has never seen the topology. On a cluster it asks whichever node's management
/// API answers, so a test can kill any one node.
/// </summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    static readonly HttpClient DefaultNode = CreateManagementClient(new Uri($"http://{Host}:15672/"));

    readonly IReadOnlyList<HttpClient> _nodes;

    /// <summary>
    /// False on the throw-away cluster, which a test may leave with a node killed: deleting a vhost then waits on
    /// quorum queues that lost a member, and the cluster's next start wipes everything anyway.
    /// </summary>
    readonly bool _deleteOnDispose;

    TestVirtualHost(string name, IReadOnlyList<HttpClient> nodes, bool deleteOnDispose)
    {
        Name = name;
        _nodes = nodes;
        _deleteOnDispose = deleteOnDispose;
    }

    public string Name { get; }

    public static string Host => Environment.GetEnvironmentVariable("WP_TEST_RABBITMQ_HOST") ?? "127.0.0.1";

    /// <summary>On the machine's default node (infra/services.sh).</summary>
    public static Task<TestVirtualHost> CreateAsync() => CreateAsync([DefaultNode], deleteOnDispose: true);

    /// <summary>
    /// On a throw-away cluster, through the management API of whichever of <paramref name="managementNodes"/> answers;
    /// left behind for the cluster's next start to wipe.
    /// </summary>
    public static Task<TestVirtualHost> CreateAsync(IEnumerable<Uri> managementNodes) =>
        CreateAsync([.. managementNodes.Select(CreateManagementClient)], deleteOnDispose: false);

    static async Task<TestVirtualHost> CreateAsync(IReadOnlyList<HttpClient> nodes, bool deleteOnDispose)
    {
        var virtualHost = new TestVirtualHost("wp-test-" + Guid.NewGuid().ToString("N")[..12], nodes, deleteOnDispose);
        var name = virtualHost.Name;
        (await virtualHost.Management(m => m.PutAsync($"api/vhosts/{name}", null))).EnsureSuccessStatusCode();
        (await virtualHost.Management(m => m.PutAsync(
            $"api/permissions/{name}/guest",
            new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json")))).EnsureSuccessStatusCode();
        return virtualHost;
    }

    /// <summary>The management API's view of every queue of this vhost, as JSON (on a cluster: leader, members, online).</summary>
    public async Task<System.Text.Json.JsonDocument> QueuesJsonAsync() =>
        System.Text.Json.JsonDocument.Parse(await Management(m => m.GetStringAsync($"api/queues/{Uri.EscapeDataString(Name)}")));

    /// <summary>The management API's view of every client connection of this vhost, as JSON (its node, its name).</summary>
    public async Task<System.Text.Json.JsonDocument> ConnectionsJsonAsync() =>
        System.Text.Json.JsonDocument.Parse(await Management(m => m.GetStringAsync($"api/vhosts/{Uri.EscapeDataString(Name)}/connections")));

    /// <summary>The management API's view of a queue of this vhost (arguments, consumers, message counts).</summary>
    public async Task<string> QueueJsonAsync(string queue) =>
        await Management(m => m.GetStringAsync($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}"));

    /// <summary>Consumers the broker counts on a queue of this vhost right now (0 while the queue does not exist).</summary>
    public async Task<int> ConsumerCountAsync(string queue)
    {
        using var response = await Management(m => m.GetAsync($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}"));
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
        using var json = await QueuesJsonAsync();
        return [.. json.RootElement.EnumerateArray()
            .Select(q => (q.GetProperty("name").GetString()!, q.TryGetProperty("messages", out var messages) && messages.ValueKind == System.Text.Json.JsonValueKind.Number ? messages.GetInt32() : 0))];
    }

    /// <summary>The names clients gave their open connections to this vhost (RabbitMQ lists a connection as soon as it opens).</summary>
    public async Task<List<string>> ConnectionNamesAsync()
    {
        using var json = await ConnectionsJsonAsync();
        return [.. json.RootElement.EnumerateArray()
            .Select(c => c.TryGetProperty("client_properties", out var properties) && properties.TryGetProperty("connection_name", out var name) ? name.GetString() ?? "" : "")];
    }

    /// <summary>
    /// Closes every client connection of this vhost through the management API, as a network blip or a broker-side
    /// timeout would; returns how many were closed.
    /// </summary>
    public async Task<int> CloseConnectionsAsync()
    {
        using var json = await ConnectionsJsonAsync();
        var closed = 0;
        foreach (var connection in json.RootElement.EnumerateArray())
        {
            var name = connection.GetProperty("name").GetString()!;
            using var response = await Management(m => m.DeleteAsync($"api/connections/{Uri.EscapeDataString(name)}"));
            if (response.IsSuccessStatusCode)
            {
                closed++;
            }
        }

        return closed;
    }

    /// <summary>Removes the binding from an exchange to the queue of the same name: messages to it become unroutable.</summary>
    public async Task UnbindAsync(string exchangeAndQueue) =>
        (await Management(m => m.DeleteAsync($"api/bindings/{Uri.EscapeDataString(Name)}/e/{exchangeAndQueue}/q/{exchangeAndQueue}/~"))).EnsureSuccessStatusCode();

    /// <summary>Closes one client connection, by the name the management API gives it.</summary>
    public async Task CloseConnectionAsync(string name) =>
        (await Management(m => m.DeleteAsync($"api/connections/{Uri.EscapeDataString(name)}"))).EnsureSuccessStatusCode();

    public async ValueTask DisposeAsync()
    {
        if (_deleteOnDispose)
        {
            await Management(m => m.DeleteAsync($"api/vhosts/{Name}"));
        }
    }

    /// <summary>Asks the first node whose management API can be reached (the others are tried when one is down).</summary>
    async Task<T> Management<T>(Func<HttpClient, Task<T>> call)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return await call(_nodes[i]);
            }
            catch (HttpRequestException) when (i < _nodes.Count - 1)
            {
                // That node is down: the next one serves the same cluster.
            }
        }
    }

    static HttpClient CreateManagementClient(Uri baseAddress)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        return client;
    }
}
