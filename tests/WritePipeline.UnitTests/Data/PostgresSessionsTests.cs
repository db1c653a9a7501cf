using Microsoft.Extensions.Configuration;
using Npgsql;
using WritePipeline.Data;
using WritePipeline.Hosting;
using Verdict = WritePipeline.Data.PostgresSessions.Verdict;

namespace WritePipeline.UnitTests.Data;

public sealed class PostgresSessionsTests
{
    const string Server = "Host=db;Database=writepipeline;Username=app";

    [Fact]
    public void Every_connection_carries_the_timeout_and_keepalives_to_match_in_its_options()
    {
        var options = new NpgsqlConnectionStringBuilder(PostgresSessions.WithSessionSettings(Server, TimeSpan.FromSeconds(10))).Options;

        Assert.Equal(
            "-c idle_in_transaction_session_timeout=10000 -c tcp_keepalives_idle=10 -c tcp_keepalives_interval=3 -c tcp_keepalives_count=3 -c tcp_user_timeout=20000",
            options);
    }

    [Fact]
    public void An_operators_own_options_come_after_ours_so_that_they_win()
    {
        var options = new NpgsqlConnectionStringBuilder(PostgresSessions.WithSessionSettings(Server + ";Options=-c statement_timeout=30000", TimeSpan.FromSeconds(5))).Options!;

        Assert.StartsWith("-c idle_in_transaction_session_timeout=5000 ", options, StringComparison.Ordinal);
        Assert.EndsWith(" -c statement_timeout=30000", options, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_leaves_the_connection_string_as_it_is() =>
        Assert.Equal(Server, PostgresSessions.WithSessionSettings(Server, TimeSpan.Zero));

    [Fact]
    public void Only_PostgreSQL_connections_get_them()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:WritePipeline"] = Server }).Build();

        Assert.Contains("idle_in_transaction_session_timeout=10000", DataRegistration.ConnectionString(new DatabaseOptions { Provider = DatabaseProvider.PostgreSql }, configuration), StringComparison.Ordinal);
        Assert.Equal(Server, DataRegistration.ConnectionString(new DatabaseOptions { Provider = DatabaseProvider.SqlServer }, configuration));
    }

    [Theory]
    [InlineData(10, 10_000, Verdict.InForce)]
    [InlineData(10, 15_000, Verdict.Differs)]
    [InlineData(10, 0, Verdict.Overridden)]
    [InlineData(0, 0, Verdict.OffByConfiguration)]
    [InlineData(0, 15_000, Verdict.InForce)]
    public void Start_up_refuses_only_a_timeout_that_something_turned_off(int configuredSeconds, long effectiveMilliseconds, Verdict verdict) =>
        Assert.Equal(verdict, PostgresSessions.Judge(TimeSpan.FromSeconds(configuredSeconds), effectiveMilliseconds));

    [Theory]
    [InlineData("00:00:00", true)]
    [InlineData("00:00:01", true)]
    [InlineData("01:00:00", true)]
    [InlineData("00:00:00.5", false)]
    [InlineData("01:00:01", false)]
    [InlineData("-00:00:01", false)]
    public void The_timeout_is_off_or_from_a_second_to_an_hour(string timeout, bool valid)
    {
        var options = new WritePipelineOptions();
        options.Database.IdleInTransactionTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture);

        var result = new WritePipelineOptionsValidator().Validate(null, options);

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("WritePipeline:Database:IdleInTransactionTimeout", result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
