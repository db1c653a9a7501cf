// The transport and the database are what every host and test set-up chooses first: these stay in the root
// namespace with WritePipelineOptions, so that choosing them needs no feature's namespace.
namespace WritePipeline;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
    SqlServer,
}

public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations when the host starts (the embedded default does; production runs <c>migrate</c>).</summary>
    public bool MigrateOnStartup { get; set; }
}
