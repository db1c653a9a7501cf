namespace WritePipeline.OperatorConsole;

/// <summary>How the console writes how long something has waited.</summary>
public static class Ages
{
    /// <summary>An age as people say it: 40 s, 12 min, 5 h, 3 d.</summary>
    public static string Describe(TimeSpan age) => age switch
    {
        { TotalMinutes: < 1 } => $"{Math.Max(0, (int)age.TotalSeconds)} s",
        { TotalHours: < 1 } => $"{(int)age.TotalMinutes} min",
        { TotalDays: < 2 } => $"{(int)age.TotalHours} h",
        _ => $"{(int)age.TotalDays} d",
    };
}
