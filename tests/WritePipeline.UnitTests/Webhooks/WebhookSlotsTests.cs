using WritePipeline.Webhooks;

namespace WritePipeline.UnitTests.Webhooks;

public sealed class WebhookSlotsTests
{
    static readonly Guid Slow = Guid.NewGuid(), Healthy = Guid.NewGuid(), Third = Guid.NewGuid();

    static List<WebhookHandover> Add(WebhookSlots slots, Guid client, int count)
    {
        var added = Enumerable.Range(0, count).Select(_ => new WebhookHandover(Guid.NewGuid(), client, 0)).ToList();
        Assert.All(added, d => Assert.True(slots.Add(d)));
        return added;
    }

    static List<WebhookHandover> TakeAll(WebhookSlots slots)
    {
        var taken = new List<WebhookHandover>();
        while (slots.Next() is { } next)
        {
            taken.Add(next);
        }

        return taken;
    }

    [Fact]
    public void A_client_takes_no_more_than_its_share_and_another_client_finds_a_slot_free()
    {
        var slots = new WebhookSlots(total: 8, perClient: 3);
        var slow = Add(slots, Slow, 50);

        Assert.Equal(slow[..3], TakeAll(slots));
        var healthy = Add(slots, Healthy, 1);
        Assert.Equal(healthy, TakeAll(slots));
        Assert.Equal((4, 47), (slots.Attempting, slots.Waiting));

        // The slow client's next delivery takes the slot its first one gives back, in the order they came.
        slots.Done(slow[0]);
        Assert.Equal([slow[3]], TakeAll(slots));
    }

    [Fact]
    public void When_every_slot_is_taken_waiting_clients_are_served_in_turn()
    {
        var slots = new WebhookSlots(total: 4, perClient: 4);
        var slow = Add(slots, Slow, 10);
        var taken = TakeAll(slots);
        Assert.Equal(slow[..4], taken);
        var healthy = Add(slots, Healthy, 3);
        var third = Add(slots, Third, 3);

        // Each freed slot goes to the next client in turn: every waiting client gets one before any gets a second.
        var order = new List<WebhookHandover>();
        foreach (var done in taken)
        {
            slots.Done(done);
            order.AddRange(TakeAll(slots));
        }

        Assert.Equal([slow[4], healthy[0], third[0], slow[5]], order);
    }

    [Fact]
    public void A_delivery_handed_over_again_while_held_is_not_queued_twice()
    {
        var slots = new WebhookSlots(total: 4, perClient: 2);
        var delivery = new WebhookHandover(Guid.NewGuid(), Slow, 0);
        Assert.True(slots.Add(delivery));
        Assert.False(slots.Add(delivery with { Attempts = 0 }));
        Assert.Equal(delivery, slots.Next());

        // Being attempted, it is still held: a second attempt could only start after this one.
        Assert.False(slots.Add(delivery));
        Assert.Null(slots.Next());
        slots.Done(delivery);
        Assert.False(slots.Holds(delivery.DeliveryId));
        Assert.True(slots.Add(delivery with { Attempts = 1 }));
    }
}
