using ArchUnitNET.Domain;
using ArchUnitNET.Domain.Dependencies;
using ArchUnitNET.Loader;
using WritePipeline.Data;
using WritePipeline.Partitioning;

namespace WritePipeline.UnitTests;

/// <summary>
/// How Core's feature folders depend on each other (docs/architecture.md, "Folder dependencies"). A folder is the
/// second part of a namespace (<c>WritePipeline.Writes</c>, <c>WritePipeline.Data.Sagas</c> is in Data); the root
/// namespace is left out: it composes the options sections, and features read settings that live there (the
/// transport's, the database's, the API's). No feature reads the whole options: only the composition does.
/// </summary>
public sealed class ArchitectureTests
{
    static readonly System.Reflection.Assembly Core = typeof(WritePipelineDbContext).Assembly;

    [Fact]
    public void Core_references_no_host()
    {
        var hosts = new[] { "WritePipeline.Api", "WritePipeline.Worker", "WritePipeline.OperatorConsole" };
        var referenced = Core.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.All(hosts, host => Assert.DoesNotContain(host, referenced));
    }

    [Fact]
    public void No_dependency_between_folders_forms_a_cycle()
    {
        var cyclic = FolderGraph.Of(Core).CyclicEdges();
        Assert.True(cyclic.Count == 0, $"These dependencies form a cycle of folders; move the shared piece down, or invert it with an interface owned by the lower folder: {string.Join(", ", cyclic)}");
    }

    [Fact]
    public void Only_the_composition_reads_the_whole_options()
    {
        var architecture = new ArchLoader().LoadAssemblies(Core).Build();
        var readers = architecture.Types
            .Where(type => type.Dependencies.Any(d => d.Target.FullName == typeof(WritePipelineOptions).FullName))
            .Where(type => !type.Namespace.FullName.StartsWith("WritePipeline.Hosting", StringComparison.Ordinal) && type.Namespace.FullName != "WritePipeline")
            .Select(type => type.FullName)
            .ToList();
        Assert.True(readers.Count == 0, $"These read the whole WritePipelineOptions; have them take their own section (IOptions<TSection>, Hosting/OptionsSections): {string.Join(", ", readers)}");
    }

    /// <summary>
    /// ASP.NET Core's namespaces that are not about HTTP requests and answers: keys and password hashing, and the
    /// authorization policies (named roles) the console and the admin API share.
    /// </summary>
    static readonly string[] NotHttp = ["Microsoft.AspNetCore.DataProtection", "Microsoft.AspNetCore.Identity", "Microsoft.AspNetCore.Authorization"];

    /// <summary>
    /// The hosting glue both hosts (the API and the worker) compose, which must name ASP.NET Core's application and
    /// endpoint types, with why. Nothing of a feature: a feature's rules take and return plain types, and the API host
    /// reads requests and writes problems (docs/architecture.md, "HTTP stays in the host").
    /// </summary>
    static readonly Dictionary<string, string> HostingGlue = new()
    {
        ["WritePipeline.Hosting.WritePipelineHosting"] = "builds the WebApplication every host runs and maps /health, whose report it writes",
        ["WritePipeline.Hosting.Commands"] = "runs a host's WebApplication or one of its commands (clients create, ...)",
        ["WritePipeline.Telemetry.TelemetryRegistration"] = "maps /metrics and keeps scrapes and probes out of ASP.NET Core's traces, in every host",
    };

    [Fact]
    public void Core_names_no_ASP_NET_HTTP_type_but_the_hosting_glue()
    {
        var architecture = new ArchLoader().LoadAssemblies(Core).Build();
        var named = architecture.Types
            .Where(type => !HostingGlue.ContainsKey(OuterName(type)))
            .SelectMany(type => type.Dependencies.Select(d => d.Target).Where(IsHttp).Select(target => $"{type.FullName} -> {target.FullName}"))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(named.Count == 0, $"Core names these ASP.NET HTTP types; read the request and write the answer in the API host, and give Core plain types (a Problem, a stream): {string.Join(", ", named)}");
    }

    [Fact]
    public void The_hosting_glue_names_HTTP_types_indeed()
    {
        // An exception that no longer needs to be one is taken off the list, so the list says what is true.
        var architecture = new ArchLoader().LoadAssemblies(Core).Build();
        var glue = architecture.Types
            .Where(type => HostingGlue.ContainsKey(OuterName(type)) && type.Dependencies.Any(d => IsHttp(d.Target)))
            .Select(OuterName)
            .ToHashSet();
        Assert.Equal(HostingGlue.Keys.Order(StringComparer.Ordinal), glue.Order(StringComparer.Ordinal));
    }

    /// <summary>A type of ASP.NET Core's HTTP side: requests, answers, results, endpoints, middleware, authentication, headers.</summary>
    static bool IsHttp(IType type)
    {
        var ns = type.Namespace?.FullName ?? string.Empty;
        return (ns.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && !NotHttp.Any(n => ns == n || ns.StartsWith(n + ".", StringComparison.Ordinal)))
            || ns.StartsWith("Microsoft.Net.Http.Headers", StringComparison.Ordinal);
    }

    /// <summary>A nested type (a lambda's closure, a health check) counts as the type it is declared in.</summary>
    static string OuterName(IType type)
    {
        var name = type.FullName;
        var nested = name.IndexOf('+', StringComparison.Ordinal);
        return nested < 0 ? name : name[..nested];
    }

    [Fact]
    public void Only_the_host_composition_asks_whether_a_process_runs_the_worker()
    {
        var architecture = new ArchLoader().LoadAssemblies(Core).Build();
        var askers = architecture.Types
            .Where(type => !type.Namespace.FullName.StartsWith("WritePipeline.Hosting", StringComparison.Ordinal))
            .Where(type => type.Dependencies.OfType<MethodCallDependency>().Any(call =>
                call.TargetMember.DeclaringType.FullName == typeof(WorkerOptions).FullName
                && call.TargetMember.Name.StartsWith("get_" + nameof(WorkerOptions.Enabled) + "(", StringComparison.Ordinal)))
            .Select(type => type.FullName)
            .ToList();
        Assert.True(askers.Count == 0, $"These ask Worker:Enabled; a host's role is its composition (register what a worker runs in the feature's Add...Worker): {string.Join(", ", askers)}");
    }

    [Fact]
    public void The_graph_sees_a_cycle_when_there_is_one()
    {
        var graph = new FolderGraph(new Dictionary<string, HashSet<string>>
        {
            ["A"] = ["B"],
            ["B"] = ["C"],
            ["C"] = ["A"],
            ["D"] = ["A"],
        });
        Assert.Equal(new[] { "A -> B", "B -> C", "C -> A" }, graph.CyclicEdges());
    }
}

/// <summary>The folders of an assembly and which depends on which, from its types' dependencies (ArchUnitNET).</summary>
sealed class FolderGraph(Dictionary<string, HashSet<string>> edges)
{
    public static FolderGraph Of(System.Reflection.Assembly assembly)
    {
        var architecture = new ArchLoader().LoadAssemblies(assembly).Build();
        var edges = new Dictionary<string, HashSet<string>>();
        foreach (var type in architecture.Types)
        {
            if (FolderOf(type) is not { } from)
            {
                continue;
            }

            foreach (var to in type.Dependencies.Select(d => d.Target).Where(t => t.Assembly?.FullName == type.Assembly.FullName).Select(FolderOf))
            {
                if (to is not null && to != from)
                {
                    (edges.TryGetValue(from, out var targets) ? targets : edges[from] = []).Add(to);
                }
            }
        }

        return new FolderGraph(edges);
    }

    /// <summary>The edges whose two ends are in one strongly connected component, "from -> to", in order.</summary>
    public List<string> CyclicEdges()
    {
        var component = Components();
        return [.. edges.SelectMany(e => e.Value.Where(to => component.GetValueOrDefault(to, -1) == component[e.Key]).Select(to => $"{e.Key} -> {to}")).Order(StringComparer.Ordinal)];
    }

    /// <summary>Tarjan's strongly connected components: each folder's component number.</summary>
    Dictionary<string, int> Components()
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var component = new Dictionary<string, int>();
        var next = 0;

        void Visit(string folder)
        {
            index[folder] = low[folder] = next++;
            stack.Push(folder);
            foreach (var to in edges.GetValueOrDefault(folder, []))
            {
                if (!index.TryGetValue(to, out var visited))
                {
                    Visit(to);
                    low[folder] = Math.Min(low[folder], low[to]);
                }
                else if (!component.ContainsKey(to))
                {
                    low[folder] = Math.Min(low[folder], visited);
                }
            }

            if (low[folder] == index[folder])
            {
                string member;
                do
                {
                    member = stack.Pop();
                    component[member] = index[folder];
                }
                while (member != folder);
            }
        }

        foreach (var folder in edges.Keys.Concat(edges.Values.SelectMany(v => v)).Distinct().Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(folder))
            {
                Visit(folder);
            }
        }

        return component;
    }

    static string? FolderOf(IType type)
    {
        var parts = type.Namespace.FullName.Split('.');
        return parts is ["WritePipeline", var folder, ..] ? folder : null;
    }
}
