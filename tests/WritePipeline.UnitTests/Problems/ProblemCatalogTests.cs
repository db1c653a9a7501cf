using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using WritePipeline.Problems;

namespace WritePipeline.UnitTests.Problems;

/// <summary>
/// Problems the framework writes itself get a type of the catalog, and never call a refusal a server error; every kind,
/// wherever a feature declares it, is found once and documented.
/// </summary>
public sealed partial class ProblemCatalogTests
{
    [Theory]
    [InlineData(400, "bad-request")]
    [InlineData(404, "not-found")]
    [InlineData(405, "method-not-allowed")]
    [InlineData(415, "unsupported-media-type")]
    [InlineData(429, "too-many-requests")]
    [InlineData(406, "request-refused")]
    [InlineData(431, "request-refused")]
    [InlineData(500, "internal-error")]
    [InlineData(502, "internal-error")]
    public void Framework_problems_get_a_catalog_type(int status, string kind)
    {
        var context = new ProblemDetailsContext { HttpContext = new DefaultHttpContext(), ProblemDetails = new ProblemDetails { Status = status } };

        ProblemResults.Customize(context);

        Assert.Equal("https://writepipeline.dev/problems/" + kind, context.ProblemDetails.Type);
    }

    [Fact]
    public void A_problem_of_the_catalog_is_left_as_it_is()
    {
        var context = new ProblemDetailsContext
        {
            HttpContext = new DefaultHttpContext(),
            ProblemDetails = new ProblemDetails { Status = 409, Type = "https://writepipeline.dev/problems/resolution-not-allowed", Title = "kept" },
        };

        ProblemResults.Customize(context);

        Assert.Equal(("https://writepipeline.dev/problems/resolution-not-allowed", "kept"), (context.ProblemDetails.Type, context.ProblemDetails.Title));
    }

    [Fact]
    public void No_two_kinds_share_a_name()
    {
        var shared = ProblemCatalog.AllKinds.GroupBy(k => k.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();

        Assert.True(shared.Count == 0, $"Kinds declared twice: {string.Join(", ", shared)}");
    }

    [Fact]
    public void The_kinds_are_in_order_of_status_then_name()
    {
        var kinds = ProblemCatalog.AllKinds.Select(k => (k.Status, k.Name)).ToList();

        Assert.Equal(kinds.Order(), kinds);
    }

    [Fact]
    public void Docs_api_lists_every_kind_the_features_declare()
    {
        var documented = DocumentedKinds();

        Assert.Equal(documented.Order(StringComparer.Ordinal), ProblemCatalog.AllKinds.Select(k => k.Name).Order(StringComparer.Ordinal));
    }

    /// <summary>The kinds the table of docs/api.md's "Problems" section names (a placeholder such as <c>&lt;conflict kind&gt;</c> left out).</summary>
    static List<string> DocumentedKinds()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root!.FullName, "WritePipeline.sln")))
        {
            root = root.Parent;
        }

        var api = File.ReadAllText(Path.Combine(root.FullName, "docs", "api.md"));
        var section = api[api.IndexOf("## Problems", StringComparison.Ordinal)..];
        section = section[..(section.IndexOf("\n## ", StringComparison.Ordinal) is var end and >= 0 ? end : section.Length)];
        return [.. section.Split('\n')
            .Where(line => line.StartsWith("| ", StringComparison.Ordinal))
            .Select(line => line.Split('|')[2])
            .SelectMany(cell => KindName().Matches(cell).Select(m => m.Groups[1].Value))];
    }

    [GeneratedRegex("`([a-z][a-z-]*)`")]
    private static partial Regex KindName();
}
