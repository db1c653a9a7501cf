using System.Diagnostics;
using Npgsql;
using WritePipeline.Testing;

namespace WritePipeline.Benchmarks.Pipeline;

/// <summary>
/// The PostgreSQL server is shared with whatever else runs on the machine (test suites hold tens of connections).
/// When its max_connections are used up, the hosts answer 503 and the scenario fails for a reason that is not the
/// pipeline's: so a scenario starts only once the server has room for both hosts' connection pools.
/// </summary>
public static class DatabaseRoom
{
    /// <summary>Two hosts with the pool size the test databases' connection strings set (40 each), and the benchmark's own few.</summary>
    public const int Needed = 85;

    public static async Task WaitAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var said = false;
        while (true)
        {
            var (max, used) = await ConnectionsAsync();
            if (max - used >= Needed)
            {
                return;
            }

            if (clock.Elapsed > limit)
            {
                Console.Error.WriteLine($"  PostgreSQL still has only {max - used} free connections after {limit.TotalSeconds:0} s; going on (hosts may answer 503).");
                return;
            }

            if (!said)
            {
                Console.Error.WriteLine($"  PostgreSQL has {max - used} of {max} connections free, fewer than the {Needed} a scenario needs; waiting for other users to finish.");
                said = true;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    static async Task<(int Max, int Used)> ConnectionsAsync()
    {
        await using var connection = new NpgsqlConnection(TestDatabase.PostgresServer);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int, (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend')",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt32(0), reader.GetInt32(1));
    }
}
