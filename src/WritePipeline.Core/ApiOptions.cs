using System.ComponentModel.DataAnnotations;

namespace WritePipeline;

/// <summary>The API process's settings (section <c>Api</c>): body and backlog limits, polling advice, proxies. Read by several features.</summary>
public sealed class ApiOptions
{
    /// <summary>Largest request body (document or patch) accepted, in bytes; larger bodies get 413.</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Seconds a client is told to wait (Retry-After) before polling a write that is not final.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>The longest <c>Prefer: wait=N</c> a submission is held open for (longer requests are cut to this).</summary>
    [Range(0, 300)]
    public int MaxPreferWaitSeconds { get; set; } = 30;

    /// <summary>
    /// Messages waiting on one partition's queue beyond which new submissions to that partition answer 503
    /// <c>backlog-full</c> (other partitions keep accepting): a backlog that grows without bound only delays every
    /// write behind it. Read from the broker about once a second.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxPartitionBacklog { get; set; } = 100_000;

    /// <summary>
    /// The reverse proxies (addresses like <c>10.0.0.5</c> or networks like <c>10.0.0.0/8</c>) whose
    /// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed: from them a request's client address and scheme
    /// are the forwarded ones. None by default: the headers are then ignored from everyone, since anyone can send them.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// Whether a write without an Idempotency-Key is refused (428 <c>idempotency-key-required</c>). Off by default. A
    /// 503 leaves the write's fate open (it may be on the broker); only a retry with the same key is sure to converge on
    /// exactly one write, so a deployment whose clients all retry may want to insist on keys.
    /// </summary>
    public bool RequireIdempotencyKey { get; set; }

    /// <summary>
    /// The key under which write ids are signed: an id carries its submission time and a MAC of it and of its client,
    /// so that any API process can tell a write it accepted but no worker has recorded yet (status <c>queued</c>) from an
    /// id it never gave out (404) without a table of issued ids. Every API process must have the same one; at least
    /// 16 characters. The built-in default works for a single installation; set your own in production.
    /// </summary>
    public string WriteIdSecret { get; set; } = DefaultWriteIdSecret;

    /// <summary>The built-in <see cref="WriteIdSecret"/>.</summary>
    public const string DefaultWriteIdSecret = "writepipeline-default-write-id-secret";

    /// <summary>
    /// How many accepted Idempotency-Keys each API process remembers (0: none), so that a repeat gets its first answer
    /// without asking the database, even while it is away. Beyond this, the least recently used are forgotten and a
    /// repeat asks the database, and otherwise the worker settles it (the later id ends <c>duplicate</c>).
    /// </summary>
    [Range(0, 10_000_000)]
    public int RememberedIdempotencyKeys { get; set; } = 100_000;

    /// <summary>What start-up refuses in this section, each as a message naming the setting's full path.</summary>
    public IEnumerable<string> Validate()
    {
        foreach (var proxy in Hosting.TrustedProxies.Invalid(TrustedProxies))
        {
            yield return $"WritePipeline:Api:TrustedProxies: '{proxy}' is neither an IP address nor a network (CIDR, e.g. 10.0.0.0/8).";
        }

        if (string.IsNullOrEmpty(WriteIdSecret) || WriteIdSecret.Length < 16)
        {
            yield return "WritePipeline:Api:WriteIdSecret must be at least 16 characters (the same on every API process).";
        }
    }
}
