using Microsoft.Extensions.Time.Testing;
using WritePipeline.Writes;

namespace WritePipeline.UnitTests.Writes;

/// <summary>Write ids carry their submission time and a MAC of their client: the API reads a status from them alone.</summary>
public class WriteIdsTests
{
    const string Secret = "a secret of sixteen or more";

    static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 12, 7, 23, 59, 58, 123, TimeSpan.Zero));

    [Fact]
    public void An_id_tells_its_own_client_when_it_was_given()
    {
        var ids = new WriteIds(Secret, Clock);
        var client = Guid.NewGuid();

        var (id, submittedAt) = ids.Next(client);

        Assert.Equal(Clock.GetUtcNow(), submittedAt);
        Assert.Equal(submittedAt, ids.IssuedAt(id, client));
        Assert.Equal(8, id.Version);
        Assert.Equal(0b10, id.Variant >> 2);
    }

    [Fact]
    public void Another_clients_id_a_random_id_and_a_version_7_id_were_never_given()
    {
        var ids = new WriteIds(Secret, Clock);
        var (id, _) = ids.Next(Guid.NewGuid());

        Assert.Null(ids.IssuedAt(id, Guid.NewGuid()));
        Assert.Null(ids.IssuedAt(Guid.NewGuid(), Guid.NewGuid()));
        Assert.Null(ids.IssuedAt(Guid.CreateVersion7(), Guid.NewGuid()));
    }

    [Fact]
    public void An_id_signed_under_another_secret_was_never_given()
    {
        var client = Guid.NewGuid();
        var (id, _) = new WriteIds("another secret, also long", Clock).Next(client);

        Assert.Null(new WriteIds(Secret, Clock).IssuedAt(id, client));
    }

    [Fact]
    public void Changing_any_bit_of_the_time_or_the_random_part_breaks_the_mac()
    {
        var ids = new WriteIds(Secret, Clock);
        var client = Guid.NewGuid();
        var (id, _) = ids.Next(client);
        var bytes = id.ToByteArray(bigEndian: true);

        var accepted = 0;
        foreach (var bit in Enumerable.Range(0, 96).Where(b => b / 8 != 6 && b / 8 != 8))
        {
            var changed = (byte[])bytes.Clone();
            changed[bit / 8] ^= (byte)(1 << (bit % 8));
            if (ids.IssuedAt(new Guid(changed, bigEndian: true), client) is not null)
            {
                accepted++;
            }
        }

        Assert.Equal(0, accepted);
    }

    [Fact]
    public void Ids_given_later_sort_later()
    {
        var ids = new WriteIds(Secret, Clock);
        var client = Guid.NewGuid();
        var (first, _) = ids.Next(client);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        var (second, _) = ids.Next(client);

        Assert.True(string.CompareOrdinal(first.ToString(), second.ToString()) < 0);
    }
}
