using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using WritePipeline.Problems;

namespace WritePipeline.UnitTests;

/// <summary>Problems the framework writes itself get a type of the catalog, and never call a refusal a server error.</summary>
public sealed class ProblemCatalogTests
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

        ProblemCatalog.Customize(context);

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

        ProblemCatalog.Customize(context);

        Assert.Equal(("https://writepipeline.dev/problems/resolution-not-allowed", "kept"), (context.ProblemDetails.Type, context.ProblemDetails.Title));
    }
}
