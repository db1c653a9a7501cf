namespace WritePipeline.Problems;

/// <summary>A kind of problem: the status it is answered with (0: any other 4xx), its name (the end of its type URI) and its title.</summary>
public sealed record ProblemKind(int Status, string Name, string Title)
{
    public string Type => ProblemCatalog.TypeOf(Name);
}
