using System.Globalization;
using System.Text.Json.Nodes;

namespace WritePipeline.Benchmarks;

/// <summary>What one run measures; bounded in count and in time, loopback only.</summary>
public sealed record BenchmarkSettings
{
    public static readonly IReadOnlyList<string> AllScenarios = ["accept_only", "accept_db_down", "apply_only", "end_to_end", "hot_key", "prefer_wait"];

    public const string Usage = """
        Options (defaults in brackets; --quick lowers those marked *):
          --writes N               writes of accept_only, accept_db_down and end_to_end [20000, quick 2000]*
          --backlog N              writes preloaded for apply_only [20000, quick 2000]*
          --keys K                 keys the writes are spread over [200]
          --concurrency C          concurrent HTTP submitters [32]
          --partitions P           WritePipeline:Partitions [8]
          --batch-size B           WritePipeline:Worker:MaxBatchSize, and the tight loop's transaction size [256]
          --warmup N               writes of the warm-up before each measured run [500, quick 200]*
          --hot-clients N          hot_key: clients patching the same record [32]
          --hot-patches N          hot_key: patches per client [100, quick 20]*
          --prefer-writes N        prefer_wait: sequential writes with Prefer: wait=5 [500, quick 100]*
          --time-limit-seconds S   bound of every wait [600]
          --scenarios a,b          a subset of accept_only,accept_db_down,apply_only,end_to_end,hot_key,prefer_wait [all]
          --quick                  a small smoke run
        """;

    public int Writes { get; init; }

    public int Backlog { get; init; }

    public int Keys { get; init; }

    public int Concurrency { get; init; }

    public int Partitions { get; init; }

    public int BatchSize { get; init; }

    public int Warmup { get; init; }

    public int HotClients { get; init; }

    public int HotPatches { get; init; }

    public int PreferWrites { get; init; }

    public TimeSpan TimeLimit { get; init; }

    public required IReadOnlyList<string> Scenarios { get; init; }

    public bool Quick { get; init; }

    public string Describe() => FormattableString.Invariant(
        $"settings: writes={Writes} backlog={Backlog} keys={Keys} concurrency={Concurrency} partitions={Partitions} batch-size={BatchSize} warmup={Warmup} hot={HotClients}x{HotPatches} prefer-writes={PreferWrites} time-limit={TimeLimit.TotalSeconds}s scenarios={string.Join(',', Scenarios)}{(Quick ? " (quick)" : string.Empty)}");

    public JsonObject ToJson() => new()
    {
        ["writes"] = Writes,
        ["backlog"] = Backlog,
        ["keys"] = Keys,
        ["concurrency"] = Concurrency,
        ["partitions"] = Partitions,
        ["batch_size"] = BatchSize,
        ["warmup"] = Warmup,
        ["hot_clients"] = HotClients,
        ["hot_patches"] = HotPatches,
        ["prefer_writes"] = PreferWrites,
        ["time_limit_seconds"] = TimeLimit.TotalSeconds,
        ["scenarios"] = string.Join(',', Scenarios),
        ["quick"] = Quick,
    };

    /// <summary>Writes per key of a run of <paramref name="writes"/> writes: every key gets the same number.</summary>
    public int PerKey(int writes) => Math.Max(1, writes / Keys);

    public static BenchmarkSettings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var quick = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case var option when option.StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length:
                    values[option[2..]] = args[++i];
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }

        int Option(string name, int fallback, int min, int max)
        {
            if (!values.Remove(name, out var text))
            {
                return fallback;
            }

            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value
                : throw new ArgumentException($"--{name} must be a whole number from {min} to {max}.");
        }

        var scenarios = AllScenarios;
        if (values.Remove("scenarios", out var list))
        {
            scenarios = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => s.Replace('-', '_'))
                .ToList();
            if (scenarios.Count == 0 || scenarios.FirstOrDefault(s => !AllScenarios.Contains(s)) is { } unknown)
            {
                throw new ArgumentException($"--scenarios takes a comma-separated subset of {string.Join(',', AllScenarios)}.");
            }

            // Always in the documented order, whatever order they were named in.
            scenarios = AllScenarios.Where(scenarios.Contains).ToList();
        }

        var settings = new BenchmarkSettings
        {
            Writes = Option("writes", quick ? 2_000 : 20_000, 1, 1_000_000),
            Backlog = Option("backlog", quick ? 2_000 : 20_000, 1, 1_000_000),
            Keys = Option("keys", 200, 1, 100_000),
            Concurrency = Option("concurrency", 32, 1, 1024),
            Partitions = Option("partitions", 8, 1, 1024),
            BatchSize = Option("batch-size", 256, 1, 10_000),
            Warmup = Option("warmup", quick ? 200 : 500, 0, 100_000),
            HotClients = Option("hot-clients", 32, 1, 1024),
            HotPatches = Option("hot-patches", quick ? 20 : 100, 1, 100_000),
            PreferWrites = Option("prefer-writes", quick ? 100 : 500, 1, 100_000),
            TimeLimit = TimeSpan.FromSeconds(Option("time-limit-seconds", 600, 10, 86_400)),
            Scenarios = scenarios,
            Quick = quick,
        };
        if (values.Count > 0)
        {
            throw new ArgumentException($"Unknown option --{values.Keys.First()}.");
        }

        return settings;
    }
}
