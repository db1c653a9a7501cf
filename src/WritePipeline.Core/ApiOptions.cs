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

    /// <summary>What start-up refuses in this section, each as a message naming the setting's full path.</summary>
    public IEnumerable<string> Validate() =>
        Hosting.TrustedProxies.Invalid(TrustedProxies)
            .Select(proxy => $"WritePipeline:Api:TrustedProxies: '{proxy}' is neither an IP address nor a network (CIDR, e.g. 10.0.0.0/8).");
}
