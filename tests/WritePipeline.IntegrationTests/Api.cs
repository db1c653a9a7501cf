using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests;

/// <summary>The submission API as a client calls it.</summary>
public static class Api
{
    public static string RecordPath(string collection, string key) => $"/v1/collections/{collection}/records/{key}";

    public static Task<HttpResponseMessage> PutAsync(this HttpClient http, string collection, string key, JsonObject document, Action<HttpRequestMessage>? headers = null) =>
        SendAsync(http, HttpMethod.Put, collection, key, document.ToJsonString(), "application/json", headers);

    public static Task<HttpResponseMessage> PatchAsync(this HttpClient http, string collection, string key, JsonObject patch, Action<HttpRequestMessage>? headers = null) =>
        SendAsync(http, HttpMethod.Patch, collection, key, patch.ToJsonString(), "application/merge-patch+json", headers);

    public static Task<HttpResponseMessage> DeleteAsync(this HttpClient http, string collection, string key, Action<HttpRequestMessage>? headers = null) =>
        SendAsync(http, HttpMethod.Delete, collection, key, null, null, headers);

    public static async Task<HttpResponseMessage> SendAsync(
        this HttpClient http, HttpMethod method, string collection, string key, string? body, string? contentType, Action<HttpRequestMessage>? headers = null)
    {
        using var request = new HttpRequestMessage(method, RecordPath(collection, key));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);
        }

        headers?.Invoke(request);
        return await http.SendAsync(request);
    }

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    /// <summary>Polls the status resource until the write is final, as a client following Retry-After would.</summary>
    public static async Task<JsonObject> UntilFinalAsync(this HttpClient http, Guid writeId)
    {
        JsonObject status = [];
        await Testing.Eventually.UntilAsync(
            async () =>
            {
                status = await (await http.GetAsync($"/v1/writes/{writeId}")).JsonAsync();
                return status["status"]!.GetValue<string>() != "queued";
            },
            $"write {writeId} is final");
        return status;
    }

    public static Guid WriteId(this JsonObject receipt) => receipt["writeId"]!.GetValue<Guid>();

    public static string? ProblemType(this JsonObject problem) => problem["type"]?.GetValue<string>();
}
