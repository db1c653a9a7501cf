namespace WritePipeline.Partitioning;

/// <summary>
/// This worker process as the others see it: an id unique to the process (host, process id and a random part, so a
/// restarted process on the same pid is a new worker), its host and process id.
/// </summary>
public sealed class WorkerIdentity
{
    public WorkerIdentity()
        : this($"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}")
    {
    }

    /// <summary>A worker of the given id (tests choose ids to decide how the workers sort).</summary>
    public WorkerIdentity(string id) => Id = Trim(id, PipelineWorker.MaxIdLength);

    public string Id { get; }

    public PipelineWorker Registration(DateTimeOffset now) => new()
    {
        Id = Id,
        Host = Trim(Environment.MachineName, 200),
        ProcessId = Environment.ProcessId,
        StartedAt = now,
        Heartbeat = now,
    };

    /// <summary>The end of <paramref name="text"/> that fits: the random part of an id is at its end.</summary>
    static string Trim(string text, int length) => text.Length <= length ? text : text[^length..];
}
