using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using WritePipeline.Contracts;
using WritePipeline.Partitioning;
using WritePipeline.Writes;

namespace WritePipeline.UnitTests.Writes;

public class FailureKindTests
{
    static PostgresException Postgres(string sqlState) => new("simulated", "ERROR", "ERROR", sqlState);

    [Theory]
    [InlineData("40001")] // serialization_failure
    [InlineData("40P01")] // deadlock_detected
    [InlineData("55P03")] // lock_not_available
    [InlineData("57P01")] // admin_shutdown
    [InlineData("08006")] // connection_failure
    [InlineData("25P03")] // idle_in_transaction_session_timeout: the server ended a stalled session
    [InlineData("57P05")] // idle_session_timeout
    public void Passing_database_failures_are_retried(string sqlState)
    {
        Assert.Equal(FailureKind.Transient, TransientFailures.Classify(Postgres(sqlState)));
        Assert.Equal(FailureKind.Transient, TransientFailures.Classify(new DbUpdateException("save failed", Postgres(sqlState))));
    }

    [Theory]
    [InlineData("22001")] // string_data_right_truncation: a value too long for its column
    [InlineData("22P05")] // untranslatable_character
    [InlineData("23502")] // not_null_violation
    [InlineData("23514")] // check_violation
    public void Data_the_database_refuses_is_not_retried(string sqlState) =>
        Assert.Equal(FailureKind.Data, TransientFailures.Classify(new DbUpdateException("save failed", Postgres(sqlState))));

    [Fact]
    public void A_lost_race_is_re_read()
    {
        Assert.Equal(FailureKind.Race, TransientFailures.Classify(new DbUpdateConcurrencyException("another delivery committed")));
        Assert.Equal(FailureKind.Race, TransientFailures.Classify(new DbUpdateException("save failed", Postgres("23505"))));
    }

    [Fact]
    public void A_busy_sqlite_database_is_retried_and_a_broken_connection_too()
    {
        Assert.Equal(FailureKind.Transient, TransientFailures.Classify(new SqliteException("database is locked", 5)));
        Assert.Equal(FailureKind.Transient, TransientFailures.Classify(new NpgsqlException("connection lost", new SocketException())));
        Assert.Equal(FailureKind.Transient, TransientFailures.Classify(new TimeoutException()));
    }

    [Fact]
    public void A_bug_is_neither()
    {
        Assert.Equal(FailureKind.Other, TransientFailures.Classify(new InvalidOperationException("a bug")));
        Assert.False(TransientFailures.IsTransient(new ArgumentException("a bug too")));
    }

    [Fact]
    public void A_partition_message_reads_back_as_it_was_written()
    {
        var write = new ApplyWrite
        {
            WriteId = Guid.CreateVersion7(), ClientId = Guid.NewGuid(), Collection = "customers", Key = "k1",
            Operation = WriteOperations.Patch, Body = """{"a":1}""", IfMatchVersion = 3, SubmittedAt = DateTimeOffset.UtcNow,
            IdempotencyKey = "order-1", RequestHash = "ab12",
        };
        var (type, body) = PartitionMessageFormat.Encode(PartitionMessage.For(write));

        Assert.Equal(PartitionMessage.For(write), PartitionMessageFormat.Decode(type, body));
        var resolution = new ApplyResolution { WriteId = write.WriteId, ResolutionId = Guid.NewGuid(), Collection = "c", Key = "k", Action = ResolutionActions.Discard, Reason = "r" };
        (type, body) = PartitionMessageFormat.Encode(PartitionMessage.For(resolution));
        Assert.Equal(PartitionMessage.For(resolution), PartitionMessageFormat.Decode(type, body));
        var retry = new ReferenceRetry(write.WriteId, "orders", "o1");
        (type, body) = PartitionMessageFormat.Encode(PartitionMessage.For(retry));
        Assert.Equal(PartitionMessageFormat.RetryType, type);
        Assert.Equal(PartitionMessage.For(retry), PartitionMessageFormat.Decode(type, body));
    }

    [Theory]
    [InlineData("apply-write", "{ not json")]
    [InlineData("apply-write", """{"writeId":"01a23439-45d2-7de5-a4cb-d0461bedd4d2"}""")]
    [InlineData("upsert", """{}""")]
    // The sweeper's check of an unconfirmed write, which versions before the worker recorded writes sent.
    [InlineData("check-unconfirmed", """{"writeId":"01a23439-45d2-7de5-a4cb-d0461bedd4d2","collection":"c","key":"k"}""")]
    [InlineData(null, """{}""")]
    public void A_partition_message_that_cannot_be_read_says_why(string? type, string body)
    {
        var delivery = PartitionMessageFormat.Read(type, "some-id", System.Text.Encoding.UTF8.GetBytes(body));

        Assert.Null(delivery.Message);
        Assert.StartsWith("The message could not be read", delivery.Unreadable, StringComparison.Ordinal);
    }
}
