namespace WritePipeline.Admin;

public sealed class BulkActionOptions
{
    /// <summary>
    /// A bulk run that made no progress for this long is taken to have lost its process (each write takes seconds at
    /// most) and is resumed, where it stopped, by an API process that is running.
    /// </summary>
    public TimeSpan ResumeAfter { get; set; } = TimeSpan.FromMinutes(1);
}
