using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace WritePipeline.Data;

public static class DataRegistration
{
    public const string ConnectionStringName = "WritePipeline";
    public const string DefaultSqliteConnection = "Data Source=data/writepipeline.db";

    /// <summary>
    /// Registers the DbContext on the configured provider (<paramref name="database"/>), with that provider's migrations
    /// assembly and the <paramref name="interceptors"/> the features need on every context (the partitions' fence).
    /// </summary>
    /// <param name="configuration">Where the connection string is read from.</param>
    public static IServiceCollection AddWritePipelineData(this IServiceCollection services, DatabaseOptions database, IConfiguration configuration, params IInterceptor[] interceptors)
    {
        var connectionString = ConnectionString(database, configuration);
        // Pooled: every request, batch and saga step takes a context; building options and a context for each is CPU
        // the accept and apply paths cannot spare. A pooled context is reset (tracking, savepoint setting) when returned.
        services.AddDbContextPool<WritePipelineDbContext>(builder => UseProvider(builder, database.Provider, connectionString)
            .AddInterceptors(interceptors));
        services.AddScoped<DatabaseMigrator>();
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            services.AddHostedService<PostgresSessionCheck>();
        }

        return services;
    }

    /// <summary>
    /// The connection string every connection of the process opens with (the DbContext's and the timers'): on
    /// PostgreSQL with the session settings that end a vanished host's transactions (<see cref="PostgresSessions"/>).
    /// </summary>
    public static string? ConnectionString(DatabaseOptions database, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        return database.Provider == DatabaseProvider.PostgreSql && !string.IsNullOrWhiteSpace(connectionString)
            ? PostgresSessions.WithSessionSettings(connectionString, database.IdleInTransactionTimeout)
            : connectionString;
    }

    public static DbContextOptionsBuilder UseProvider(DbContextOptionsBuilder builder, DatabaseProvider provider, string? connectionString)
    {
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                var sqlite = connectionString ?? DefaultSqliteConnection;
                EnsureSqliteFolder(sqlite);
                return builder.UseSqlite(sqlite, o => o.MigrationsAssembly(MigrationsAssembly(provider)));
            case DatabaseProvider.PostgreSql:
                return builder.UseNpgsql(Required(connectionString, provider), o => o
                    .MigrationsAssembly(MigrationsAssembly(provider))
                    // When tracing, only queries made within a trace (a request, a batch, a saga step) get spans: the
                    // leases' heartbeats and other background polling would otherwise start a trace of their own each.
                    .ConfigureDataSource(source => source.ConfigureTracing(tracing => tracing
                        .ConfigureCommandFilter(_ => Activity.Current is not null)
                        .ConfigureBatchFilter(_ => Activity.Current is not null))));
            case DatabaseProvider.SqlServer:
                return builder.UseSqlServer(Required(connectionString, provider), o => o.MigrationsAssembly(MigrationsAssembly(provider)));
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider.");
        }
    }

    /// <summary>A context outside dependency injection: design-time tools and administrative commands.</summary>
    public static WritePipelineDbContext CreateContext(DatabaseProvider provider, string? connectionString)
    {
        var builder = new DbContextOptionsBuilder<WritePipelineDbContext>();
        UseProvider(builder, provider, connectionString);
        return new WritePipelineDbContext(builder.Options);
    }

    /// <summary>Each provider keeps its own migrations (their SQL differs), in an assembly named after it.</summary>
    public static string MigrationsAssembly(DatabaseProvider provider) => "WritePipeline.Migrations." + provider;

    static string Required(string? connectionString, DatabaseProvider provider) =>
        string.IsNullOrWhiteSpace(connectionString)
            ? throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is required for the {provider} provider.")
            : connectionString;

    static void EnsureSqliteFolder(string connectionString)
    {
        var dataSource = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(dataSource) && dataSource != ":memory:" && folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
    }
}
