using WritePipeline.Collections;
using WritePipeline.Contracts;
using WritePipeline.Writes;
using WritePipeline.Writes.Detection;

namespace WritePipeline.UnitTests.Writes;

/// <summary>
/// What a newly recorded write's Idempotency-Key comes to against the write that holds it: decided by the two
/// submission times and the holder's status alone, so every process that decides it comes to the same answer.
/// </summary>
public class KeyClaimTests
{
    static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    static readonly CollectionCatalog Collections = new(new Dictionary<string, CollectionOptions>(StringComparer.Ordinal));

    static ApplyWrite Message(string? key = "order-1", string hash = "h1", DateTimeOffset? submittedAt = null) => new()
    {
        WriteId = Guid.CreateVersion7(),
        ClientId = Guid.NewGuid(),
        Collection = "undeclared",
        Key = "k1",
        Operation = WriteOperations.Replace,
        Body = """{"name":"Ada"}""",
        SubmittedAt = submittedAt ?? Now,
        IdempotencyKey = key,
        RequestHash = key is null ? null : hash,
    };

    static Write Holder(string status, DateTimeOffset submittedAt, string hash = "h1")
    {
        var holder = Write.FromMessage(Message(hash: hash, submittedAt: submittedAt), partition: 0);
        holder.Status = status;
        return holder;
    }

    [Fact]
    public void A_write_without_a_key_claims_nothing() =>
        Assert.Null(KeyClaim.Of(Message(key: null), Holder(WriteStatus.Queued, Now), Retention));

    [Fact]
    public void A_free_key_is_taken_and_nobody_gives_it_up() =>
        Assert.Equal(new KeyClaim.Takes(null), KeyClaim.Of(Message(), null, Retention));

    [Fact]
    public void The_same_request_under_another_id_repeats_the_holder()
    {
        var holder = Holder(WriteStatus.Applied, Now.AddMinutes(-1));

        Assert.Equal(new KeyClaim.Repeats(holder), KeyClaim.Of(Message(), holder, Retention));
    }

    [Fact]
    public void Another_request_with_a_held_key_reuses_it()
    {
        var holder = Holder(WriteStatus.Queued, Now.AddMinutes(-1), hash: "other");

        Assert.Equal(new KeyClaim.Reuses(holder), KeyClaim.Of(Message(), holder, Retention));
    }

    [Theory]
    [InlineData(WriteStatus.Applied)]
    [InlineData(WriteStatus.Discarded)]
    [InlineData(WriteStatus.Failed)]
    public void A_final_holder_submitted_a_retention_or_more_before_gives_the_key_up(string status)
    {
        var holder = Holder(status, Now - Retention, hash: "other");

        Assert.Equal(new KeyClaim.Takes(holder), KeyClaim.Of(Message(), holder, Retention));
    }

    [Fact]
    public void A_final_holder_within_its_retention_keeps_the_key()
    {
        var holder = Holder(WriteStatus.Applied, Now - Retention + TimeSpan.FromTicks(1), hash: "other");

        Assert.IsType<KeyClaim.Reuses>(KeyClaim.Of(Message(), holder, Retention));
    }

    [Theory]
    [InlineData(WriteStatus.Queued)]
    [InlineData(WriteStatus.Parked)]
    [InlineData(WriteStatus.Held)]
    public void A_holder_not_yet_final_keeps_the_key_however_old(string status)
    {
        var holder = Holder(status, Now - (Retention * 3));

        Assert.IsType<KeyClaim.Repeats>(KeyClaim.Of(Message(), holder, Retention));
    }

    [Fact]
    public void A_redelivery_of_the_holder_itself_takes_its_own_key()
    {
        var message = Message();
        var holder = Write.FromMessage(message, partition: 0);

        Assert.Equal(new KeyClaim.Takes(null), KeyClaim.Of(message, holder, Retention));
    }

    [Fact]
    public void A_repeat_is_a_duplicate_before_any_hold_of_its_key()
    {
        var message = Message();
        var holder = Holder(WriteStatus.Parked, Now.AddMinutes(-1));
        var row = Write.FromMessage(message, partition: 0);
        var hold = new KeyHold { Collection = message.Collection, Key = message.Key, BlockingWriteId = holder.Id };

        var turn = WriteTurn.Decide(message, row, WriteStatus.Queued, hold, null, Collections, new KeyClaim.Repeats(holder));

        Assert.Same(holder, Assert.IsType<WriteTurn.Duplicate>(turn).Of);
        Assert.False(turn.NeedsDatabase);
    }

    [Fact]
    public void A_reuse_fails_as_reused_and_is_never_applied()
    {
        var message = Message();
        var row = Write.FromMessage(message, partition: 0);

        var turn = WriteTurn.Decide(message, row, WriteStatus.Queued, null, null, Collections, new KeyClaim.Reuses(Holder(WriteStatus.Applied, Now)));

        Assert.Equal(WriteErrors.IdempotencyKeyReused, Assert.IsType<WriteTurn.Fail>(turn).Failure.Type);
    }
}
