using Microsoft.Extensions.Logging.Abstractions;
using WritePipeline.Partitioning;

namespace WritePipeline.UnitTests;

public class PerKeyDeliveryOrderTests
{
    // A gap timeout far longer than any test: whatever is admitted here was admitted by the rule under test, never by
    // the timeout, however busy the machine (with 200 ms, a busy CI machine once admitted a write by timeout).
    readonly PerKeyDeliveryOrder _order = new(NullLogger<PerKeyDeliveryOrder>.Instance, TimeSpan.FromMinutes(1));

    /// <summary>Long enough for any machine, far shorter than the gap timeout.</summary>
    static readonly TimeSpan Promptly = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Writes_to_one_key_take_turns_in_delivery_order_even_when_they_arrive_out_of_order()
    {
        var second = _order.TakeTurnAsync("c1", 2, "k", CancellationToken.None);
        await Task.Delay(20);
        Assert.False(second.IsCompleted);

        var first = await _order.TakeTurnAsync("c1", 1, "k", CancellationToken.None);
        Assert.False(second.IsCompleted); // admitted, but waits for the first write of its key to finish

        first.Dispose();
        (await second).Dispose();
    }

    [Fact]
    public async Task Different_keys_do_not_wait_for_each_other()
    {
        using var a = await _order.TakeTurnAsync("c1", 1, "a", CancellationToken.None);

        var b = await _order.TakeTurnAsync("c1", 2, "b", CancellationToken.None).WaitAsync(Promptly);

        b.Dispose();
    }

    [Fact]
    public async Task A_delivery_that_never_reaches_the_consumer_does_not_hold_up_the_next()
    {
        _order.Pass("c1", 1);

        var next = await _order.TakeTurnAsync("c1", 2, "k", CancellationToken.None).WaitAsync(Promptly);

        next.Dispose();
    }

    [Fact]
    public async Task A_tag_that_never_shows_up_is_given_up_on_after_the_gap_timeout()
    {
        var order = new PerKeyDeliveryOrder(NullLogger<PerKeyDeliveryOrder>.Instance, TimeSpan.FromMilliseconds(200));

        var turn = await order.TakeTurnAsync("c1", 3, "k", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        turn.Dispose();
    }

    [Fact]
    public async Task A_write_cancelled_while_waiting_does_not_let_the_next_overtake_the_one_before_it()
    {
        var first = await _order.TakeTurnAsync("c1", 1, "k", CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var second = _order.TakeTurnAsync("c1", 2, "k", cancel.Token);
        var third = _order.TakeTurnAsync("c1", 3, "k", CancellationToken.None);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        await Task.Delay(20);
        Assert.False(third.IsCompleted);

        first.Dispose();
        (await third.WaitAsync(Promptly)).Dispose();
    }

    [Fact]
    public async Task A_write_cancelled_before_its_turn_does_not_hold_its_key()
    {
        using var cancel = new CancellationTokenSource();
        var early = _order.TakeTurnAsync("c1", 2, "k", cancel.Token); // waits for tag 1
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => early);

        (await _order.TakeTurnAsync("c1", 1, "other", CancellationToken.None)).Dispose(); // admits tag 2 as well

        var later = await _order.TakeTurnAsync("c1", 3, "k", CancellationToken.None).WaitAsync(Promptly);
        later.Dispose();
    }

    [Fact]
    public async Task A_new_consumer_does_not_reset_the_count_of_a_live_one()
    {
        (await _order.TakeTurnAsync("p0", 1, "a", CancellationToken.None)).Dispose();
        (await _order.TakeTurnAsync("p1", 1, "b", CancellationToken.None)).Dispose();

        // p0's next delivery is 2: it must not wait for a tag 1 it already had.
        var turn = await _order.TakeTurnAsync("p0", 2, "a", CancellationToken.None).WaitAsync(Promptly);

        turn.Dispose();
    }

    [Fact]
    public async Task A_new_consumer_starts_counting_its_deliveries_from_one()
    {
        (await _order.TakeTurnAsync("old", 1, "k", CancellationToken.None)).Dispose();
        (await _order.TakeTurnAsync("old", 2, "k", CancellationToken.None)).Dispose();

        var turn = await _order.TakeTurnAsync("new", 1, "k", CancellationToken.None).WaitAsync(Promptly);

        turn.Dispose();
    }
}
