using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace WritePipeline.IntegrationTests.Admin;

/// <summary>
/// What the admin action tests share: the app of their collection (RabbitMQ + PostgreSQL, or the embedded SQLite),
/// operators, parked and failed writes, decisions, and reading what the admin API answers. Every test makes its own
/// client, keys and operator, so none reads another's data.
/// </summary>
public abstract class AdminActionsTest(AdminActionsFixture fixture)
{
    protected const string AdminWrites = "/v1/admin/writes/";

    protected PipelineApp App { get; } = fixture.App;

    /// <summary>A write that failed outright (<c>unreadable_message</c>) with <paramref name="body"/> as its document.</summary>
    protected Task<Guid> FailedWriteAsync(Guid clientId, string collection, string key, JsonObject body) => fixture.FailedWriteAsync(clientId, collection, key, body);

    /// <summary>An operator with <paramref name="role"/>, its HTTP client, and how the audit log names it.</summary>
    protected async Task<(string Actor, HttpClient Http)> OperatorAsync(string role = "operator")
    {
        var http = await App.CreateOperatorAsync(role);
        await using var scope = App.Services.CreateAsyncScope();
        var account = await scope.ServiceProvider.GetRequiredService<OperatorRegistry>()
            .FindByTokenAsync(http.DefaultRequestHeaders.Authorization!.Parameter!, CancellationToken.None);
        return ("operator:" + account!.Name, http);
    }

    /// <summary>A patch of a customer that does not exist: parked with a not_found conflict.</summary>
    protected static async Task<Guid> ParkedAsync(HttpClient http, string key)
    {
        var writeId = await http.PatchAsync("customers", key, new JsonObject { ["name"] = "nobody" }).AcceptedAsync();
        await http.UntilStatusAsync(writeId, "parked");
        return writeId;
    }

    protected static Task<HttpResponseMessage> DecideAsync(HttpClient @operator, Guid writeId, string action, JsonObject? document = null, string? reason = null) =>
        @operator.PostAsJsonAsync($"{AdminWrites}{writeId}/resolution", new JsonObject { ["action"] = action, ["document"] = document, ["reason"] = reason });

    protected static Task<HttpResponseMessage> RestoreAsync(HttpClient @operator, Guid writeId) =>
        @operator.PostAsync($"{AdminWrites}{writeId}/restore", null);

    protected static async Task<JsonObject> GetJsonAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    protected static async Task<List<JsonObject>> AuditOfAsync(HttpClient http, Guid writeId) =>
        [.. (await GetJsonAsync(http, $"/v1/admin/audit?writeId={writeId}"))["items"]!.AsArray().Select(i => i!.AsObject()).Reverse()];

    protected static async Task<JsonObject?> ArchivedAsync(HttpClient http, Guid writeId, string collection, string key) =>
        (await GetJsonAsync(http, $"/v1/admin/archive?collection={collection}&key={key}"))["items"]!.AsArray()
            .Select(i => i!.AsObject()).SingleOrDefault(i => i["writeId"]!.GetValue<Guid>() == writeId);

    protected static string Text(JsonNode? node, string name) => node![name]!.GetValue<string>();
}
