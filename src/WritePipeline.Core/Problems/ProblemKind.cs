namespace WritePipeline.Problems;

/// <summary>A kind of problem: the status it is answered with (0: any other 4xx), its name (the end of its type URI) and its title.</summary>
public sealed record ProblemKind(int Status, string Name, string Title)
{
    public string Type => ProblemCatalog.TypeOf(Name);

    /// <summary>A problem of this kind: its status, type and title, with <paramref name="detail"/> and any extension members.</summary>
    public Problem Problem(string detail, Dictionary<string, object?>? extensions = null) => new(this, detail, extensions);
}

/// <summary>
/// A problem a request is answered with, in the pipeline's own terms: its kind (status, type, title), what went wrong
/// (<paramref name="Detail"/>) and any extension members. The API host writes it as an RFC 9457 problem.
/// </summary>
public sealed record Problem(ProblemKind Kind, string Detail, Dictionary<string, object?>? Extensions = null);
