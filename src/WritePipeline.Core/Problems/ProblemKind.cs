using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace WritePipeline.Problems;

/// <summary>A kind of problem: the status it is answered with (0: any other 4xx), its name (the end of its type URI) and its title.</summary>
public sealed record ProblemKind(int Status, string Name, string Title)
{
    public string Type => ProblemCatalog.TypeOf(Name);

    /// <summary>An answer of this kind: its status, type and title, with <paramref name="detail"/> and any extension members.</summary>
    public ProblemHttpResult Result(string detail, Dictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: Status, title: Title, type: Type, extensions: extensions);
}
