using WritePipeline.Problems;

namespace WritePipeline.IntegrationTests.Input;

/// <summary>The OpenAPI document describes the API, every operation, and the problem types of every problem response.</summary>
public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task Every_operation_has_a_summary_a_description_and_its_problem_types()
    {
        await using var app = await PipelineApp.StartAsync(new PipelineSetup(TransportKind.InMemory, DatabaseProvider.Sqlite));
        var document = await (await app.CreateClient().GetAsync("/openapi/v1.json")).JsonAsync();

        Assert.False(string.IsNullOrWhiteSpace(document["info"]!["description"]?.GetValue<string>()));
        Assert.Equal(ProblemResponses.ContactUrl, document["info"]!["contact"]!["url"]!.GetValue<string>().TrimEnd('/'));

        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject()
                .Where(o => o.Key is "get" or "put" or "post" or "patch" or "delete")
                .Select(o => (Name: $"{o.Key.ToUpperInvariant()} {path.Key}", Operation: o.Value!.AsObject())))
            .ToList();
        Assert.True(operations.Count >= 46, $"{operations.Count} operations");
        Assert.All(operations, o =>
        {
            Assert.False(string.IsNullOrWhiteSpace(o.Operation["summary"]?.GetValue<string>()), $"{o.Name} has a summary");
            Assert.False(string.IsNullOrWhiteSpace(o.Operation["description"]?.GetValue<string>()), $"{o.Name} has a description");
            foreach (var (status, response) in o.Operation["responses"]!.AsObject().Where(r => int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture) >= 400))
            {
                var description = response!["description"]!.GetValue<string>();
                Assert.Contains(ProblemCatalog.TypeBase, description, StringComparison.Ordinal);
                Assert.All(
                    ProblemCatalog.AllKinds.Where(k => k.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) == status),
                    k => Assert.Contains(k.Name, description, StringComparison.Ordinal));
            }
        });

        // A submission declares its 403 (grants) and its 422 (an Idempotency-Key reused for another request).
        var put = operations.Single(o => o.Name == "PUT /v1/collections/{collection}/records/{key}").Operation["responses"]!.AsObject();
        Assert.Contains("forbidden", put["403"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("idempotency-key-mismatch", put["422"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
