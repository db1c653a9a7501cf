namespace WritePipeline.Admin;

public sealed class ArchiveOptions
{
    /// <summary>How long a discarded write stays in the archive, restorable, before it is purged.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the purge job looks for discarded writes past <see cref="Retention"/>.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);
}
