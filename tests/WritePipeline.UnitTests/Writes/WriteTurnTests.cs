using WritePipeline.Collections;
using WritePipeline.Contracts;
using WritePipeline.Writes;
using WritePipeline.Writes.Detection;
using Record = WritePipeline.Records.Record;

namespace WritePipeline.UnitTests.Writes;

/// <summary>What a write's turn comes to, decided from state loaded up front, whatever the batch it is in.</summary>
public class WriteTurnTests
{
    static readonly CollectionCatalog Collections = new(new Dictionary<string, CollectionOptions>(StringComparer.Ordinal)
    {
        ["customers"] = new CollectionOptions { UniqueFields = ["/email"] },
    });

    static ApplyWrite Message(string operation = WriteOperations.Replace, string? body = """{"name":"Ada"}""", string collection = "undeclared") => new()
    {
        WriteId = Guid.CreateVersion7(),
        ClientId = Guid.NewGuid(),
        Collection = collection,
        Key = "k1",
        Operation = operation,
        Body = body,
        SubmittedAt = DateTimeOffset.UtcNow,
    };

    static Write RowOf(ApplyWrite message, string status = WriteStatus.Queued)
    {
        var write = Write.FromMessage(message, partition: 3);
        write.Status = status;
        return write;
    }

    static KeyHold HoldOf(ApplyWrite message) => new() { Collection = message.Collection, Key = message.Key, BlockingWriteId = Guid.CreateVersion7() };

    [Fact]
    public void A_write_no_longer_in_the_expected_status_is_skipped_even_behind_a_hold()
    {
        var message = Message();
        var row = RowOf(message, WriteStatus.Applied);

        var turn = WriteTurn.Decide(message, row, WriteStatus.Queued, HoldOf(message), null, Collections);

        Assert.Equal(new WriteTurn.Skip(row), turn);
        Assert.False(turn.NeedsDatabase);
    }

    [Fact]
    public void A_delivery_to_a_held_key_is_held_behind_it()
    {
        var message = Message();
        var hold = HoldOf(message);

        var turn = WriteTurn.Decide(message, RowOf(message), WriteStatus.Queued, hold, null, Collections);

        Assert.Same(hold, Assert.IsType<WriteTurn.Hold>(turn).KeyHold);
    }

    [Fact]
    public void Only_a_delivery_is_held_a_released_write_is_the_keys_own_turn()
    {
        var message = Message();

        var turn = WriteTurn.Decide(message, RowOf(message, WriteStatus.Held), WriteStatus.Held, HoldOf(message), null, Collections);

        Assert.Equal(new WriteTurn.Apply(turn.Write, """{"name":"Ada"}""", EnforcesConstraints: false), turn);
    }

    [Fact]
    public void A_write_that_claims_a_declared_unique_value_needs_the_database()
    {
        var message = Message(body: """{"email":"ada@example.test"}""", collection: "customers");

        var turn = WriteTurn.Decide(message, RowOf(message), WriteStatus.Queued, null, null, Collections);

        Assert.True(Assert.IsType<WriteTurn.Apply>(turn).EnforcesConstraints);
        Assert.True(turn.NeedsDatabase);
    }

    [Fact]
    public void A_conflict_needs_the_database_and_a_failure_does_not()
    {
        var patch = Message(WriteOperations.Patch, """{"name":"Ada"}""");
        var current = new Record { Collection = patch.Collection, Key = patch.Key, Version = 1, Document = """{"name":"Grace"}""" };
        var unknown = Message("upsert");

        var conflict = WriteTurn.Decide(patch, RowOf(patch), WriteStatus.Queued, null, null, Collections);
        var failure = WriteTurn.Decide(unknown, RowOf(unknown), WriteStatus.Queued, null, current, Collections);

        Assert.Equal(WriteErrors.NotFound, Assert.IsType<WriteTurn.Conflict>(conflict).Detected.Type);
        Assert.True(conflict.NeedsDatabase);
        Assert.Equal(WriteErrors.UnknownOperation, Assert.IsType<WriteTurn.Fail>(failure).Failure.Type);
        Assert.False(failure.NeedsDatabase);
    }

    [Fact]
    public void A_delivery_without_a_row_gets_one_and_any_other_step_needs_one()
    {
        var message = Message();

        var (write, isNew) = WriteTurn.RowFor(message, null, partition: 3, WriteStatus.Queued);

        Assert.True(isNew);
        Assert.Equal((message.WriteId, WriteStatus.Queued, 3), (write.Id, write.Status, write.Partition));
        Assert.Equal((write, false), WriteTurn.RowFor(message, write, partition: 3, WriteStatus.Queued));
        Assert.Throws<InvalidOperationException>(() => WriteTurn.RowFor(message, null, partition: 3, WriteStatus.Held));
    }
}
