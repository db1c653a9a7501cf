using System.Text.Json.Nodes;

namespace WritePipeline.IntegrationTests.Input;

/// <summary>
/// Documents and answers read as they were sent: no escapes JSON does not need (non-ASCII, + &lt; &gt; &amp; '). Characters
/// beyond the Basic Multilingual Plane (emoji) are still written as \u surrogate pairs by .NET's encoder.
/// </summary>
public sealed class ReadableJsonTests
{
    [Fact]
    public async Task A_stored_document_and_a_problem_are_written_without_needless_escapes()
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite));
        var (_, http) = await app.CreateClientAsync();
        const string Text = "Zoë's <b>café</b> & 1+1 — ünïcödé";

        await http.AppliedAsync(http.PutAsync("customers", "readable", new JsonObject { ["note"] = Text, ["quote"] = "say \"hi\"" }));

        var record = await (await http.GetAsync(Api.RecordPath("customers", "readable"))).Content.ReadAsStringAsync();
        Assert.Contains($"\"note\":\"{Text}\"", record, StringComparison.Ordinal);
        Assert.Contains("""
            "quote":"say \"hi\""
            """, record, StringComparison.Ordinal);
        var problem = await (await http.SendAsync(HttpMethod.Put, "Customers", "c1", "{}", "application/json")).Content.ReadAsStringAsync();
        Assert.Contains("'Customers' is not a valid collection name", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", record + problem, StringComparison.Ordinal);
    }
}
