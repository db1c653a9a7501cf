using System.ComponentModel.DataAnnotations;

namespace WritePipeline.Operators;

public sealed class OperatorsOptions
{
    /// <summary>
    /// Password of the <c>dev-operator</c> admin created in the Development environment only (with
    /// <see cref="DevelopmentToken"/> as its admin API token). Ignored in every other environment.
    /// </summary>
    public string? DevelopmentPassword { get; set; }

    public string? DevelopmentToken { get; set; }

    /// <summary>Wrong passwords in a row after which an operator's sign-in is locked (against guessing one account from many addresses).</summary>
    [Range(1, 1000)]
    public int LockoutAttempts { get; set; } = 5;

    /// <summary>How long a locked sign-in stays locked.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);
}
