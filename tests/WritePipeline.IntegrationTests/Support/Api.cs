using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Support;

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

    public static async Task<JsonArray> JsonArrayAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonArray>())!;

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

    /// <summary>Polls the status resource until the write is in one of <paramref name="statuses"/>.</summary>
    public static Task<JsonObject> UntilStatusAsync(this HttpClient http, Guid writeId, params string[] statuses) =>
        http.UntilStatusAtAsync("/v1/writes/", writeId, statuses);

    /// <summary>The same, reading the status under <paramref name="path"/> (the admin API's, for operators).</summary>
    public static async Task<JsonObject> UntilStatusAtAsync(this HttpClient http, string path, Guid writeId, params string[] statuses)
    {
        JsonObject status = [];
        await Testing.Eventually.UntilAsync(
            async () =>
            {
                status = await (await http.GetAsync(path + writeId)).JsonAsync();
                return statuses.Contains(status["status"]?.GetValue<string>());
            },
            $"write {writeId} is {string.Join(" or ", statuses)}");
        return status;
    }

    public static Task<HttpResponseMessage> ResolveAsync(this HttpClient http, Guid writeId, string action, JsonObject? document = null, string? reason = null) =>
        http.PostAsJsonAsync($"/v1/writes/{writeId}/resolution", new JsonObject { ["action"] = action, ["document"] = document, ["reason"] = reason });

    public static Action<HttpRequestMessage> IfMatch(long version) => r => r.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");

    /// <summary>The write id of an accepted submission (asserting the 202).</summary>
    public static async Task<Guid> AcceptedAsync(this Task<HttpResponseMessage> submission)
    {
        var response = await submission;
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return (await response.JsonAsync()).WriteId();
    }

    /// <summary>Asserts the submission was accepted and waits until it is applied.</summary>
    public static async Task AppliedAsync(this HttpClient http, Task<HttpResponseMessage> submission) =>
        await http.UntilStatusAsync(await submission.AcceptedAsync(), "applied");

    /// <summary>Asserts the answer is the problem <paramref name="problem"/> with <paramref name="status"/>, and returns it.</summary>
    public static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, System.Net.HttpStatusCode status, string problem)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.JsonAsync();
        Assert.Equal(Problems.ProblemCatalog.TypeOf(problem), body.ProblemType());
        return body;
    }

    public static Guid WriteId(this JsonObject receipt) => receipt["writeId"]!.GetValue<Guid>();

    public static string? ProblemType(this JsonObject problem) => problem["type"]?.GetValue<string>();
}
