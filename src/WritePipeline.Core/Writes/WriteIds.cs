using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace WritePipeline.Writes;

/// <summary>
/// Gives out write ids that say, to whoever holds <see cref="ApiOptions.WriteIdSecret"/>, that this API gave them to
/// this client and when: an RFC 9562 version 8 UUID of the submission time in Unix milliseconds (48 bits, so ids sort
/// by time as version 7 ones do), 42 random bits, and a 32-bit HMAC-SHA256 of the client and the rest of the id. The
/// status of a write no worker has recorded yet is read from its id alone (<see cref="IssuedAt"/>): no table of issued
/// ids is written before a 202.
/// </summary>
/// <remarks>
/// A forged id passes with odds of 1 in 2^32, and then reads only <c>queued</c> to the client it names; ids are never
/// trusted for anything else.
/// </remarks>
public sealed class WriteIds
{
    const int MacBytes = 4;
    const int SignedBytes = 16 - MacBytes;

    readonly byte[] _secret;
    readonly TimeProvider _clock;

    public WriteIds(IOptions<ApiOptions> options, TimeProvider clock)
        : this(options.Value.WriteIdSecret, clock)
    {
    }

    public WriteIds(string secret, TimeProvider clock)
    {
        _secret = Encoding.UTF8.GetBytes(secret);
        _clock = clock;
    }

    /// <summary>A new id for a write of <paramref name="clientId"/>, and its submission time (the millisecond the id carries).</summary>
    public (Guid Id, DateTimeOffset SubmittedAt) Next(Guid clientId)
    {
        var milliseconds = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[6..SignedBytes]);
        WriteTime(bytes, milliseconds);
        bytes[6] = (byte)(0x80 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        Sign(clientId, bytes[..SignedBytes], bytes[SignedBytes..]);
        return (new Guid(bytes, bigEndian: true), DateTimeOffset.FromUnixTimeMilliseconds(milliseconds));
    }

    /// <summary>When the write with <paramref name="writeId"/> was submitted, if this API gave that id to <paramref name="clientId"/>; null otherwise.</summary>
    public DateTimeOffset? IssuedAt(Guid writeId, Guid clientId)
    {
        Span<byte> bytes = stackalloc byte[16];
        writeId.TryWriteBytes(bytes, bigEndian: true, out _);
        if ((bytes[6] & 0xF0) != 0x80 || (bytes[8] & 0xC0) != 0x80)
        {
            return null;
        }

        Span<byte> mac = stackalloc byte[MacBytes];
        Sign(clientId, bytes[..SignedBytes], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, bytes[SignedBytes..]))
        {
            return null;
        }

        var milliseconds = (long)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32 | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]);
        return DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
    }

    static void WriteTime(Span<byte> bytes, long milliseconds)
    {
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)(milliseconds >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(bytes[2..], (uint)milliseconds);
    }

    void Sign(Guid clientId, ReadOnlySpan<byte> signed, Span<byte> mac)
    {
        Span<byte> input = stackalloc byte[16 + SignedBytes];
        clientId.TryWriteBytes(input, bigEndian: true, out _);
        signed.CopyTo(input[16..]);
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_secret, input, hash);
        hash[..MacBytes].CopyTo(mac);
    }
}
