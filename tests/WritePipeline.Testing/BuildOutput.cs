namespace WritePipeline.Testing;

/// <summary>Where the hosts' build output is, for tests and benchmarks that run them as real processes.</summary>
public static class BuildOutput
{
    /// <summary>
    /// The assembly of <paramref name="project"/> (under src/) built in the same configuration and target framework as
    /// the calling program (its own output is .../bin/&lt;Configuration&gt;/&lt;tfm&gt;/).
    /// </summary>
    public static string HostAssembly(string project)
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory);
        var path = Path.Combine(RepositoryRoot, "src", project, "bin", bin.Parent!.Name, bin.Name, project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {project} first.", path);
    }

    /// <summary>The folder holding WritePipeline.sln, above the calling program's output.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "WritePipeline.sln")))
            {
                root = root.Parent;
            }

            return root?.FullName ?? throw new DirectoryNotFoundException("WritePipeline.sln is not above " + AppContext.BaseDirectory);
        }
    }
}
