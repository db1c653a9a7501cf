using Npgsql;

namespace WritePipeline.Testing;

/// <summary>A database that exists for one test fixture, with the connection string the app should use.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    readonly Func<Task> _drop;

    TestDatabase(DatabaseProvider provider, string connectionString, Func<Task> drop)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _drop = drop;
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    /// <summary>Where the PostgreSQL server is; infra/services.sh starts it with these credentials.</summary>
    public static string PostgresServer =>
        Environment.GetEnvironmentVariable("WP_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;SSL Mode=Disable";

    public static Task<TestDatabase> CreateAsync(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => Task.FromResult(CreateSqlite()),
        DatabaseProvider.PostgreSql => CreatePostgresAsync(),
        _ => throw new NotSupportedException($"{provider} cannot run on this machine."),
    };

    static TestDatabase CreateSqlite()
    {
        var folder = Directory.CreateTempSubdirectory("wp-test-");
        var file = Path.Combine(folder.FullName, "writepipeline.db");
        return new TestDatabase(DatabaseProvider.Sqlite, $"Data Source={file}", () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
            return Task.CompletedTask;
        });
    }

    static Task<TestDatabase> CreatePostgresAsync() => CreatePostgresAsync(PostgresServer);

    /// <summary>A new database on the PostgreSQL server at <paramref name="server"/> (e.g. a <see cref="TestPostgresServer"/>).</summary>
    public static async Task<TestDatabase> CreatePostgresAsync(string server)
    {
        var name = "wp_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            // Nothing set on the database itself: the pipeline's own connections bring their idle-in-transaction
            // timeout (Database:IdleInTransactionTimeout), and the tests rely on that alone.
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 40 }.ConnectionString;
        return new TestDatabase(DatabaseProvider.PostgreSql, connectionString, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        });
    }

    public async ValueTask DisposeAsync() => await _drop();
}
