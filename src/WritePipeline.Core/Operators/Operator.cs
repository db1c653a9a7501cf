namespace WritePipeline.Operators;

/// <summary>A person who looks after parked writes, in the console or through the admin API.</summary>
public sealed class Operator
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    /// <summary><see cref="OperatorRoles"/>: viewer, operator or admin.</summary>
    public required string Role { get; set; }

    /// <summary>ASP.NET Core Identity's password hash (PBKDF2, salted, versioned).</summary>
    public required string PasswordHash { get; set; }

    /// <summary>Hex SHA-256 of the operator's admin API token (<c>wpo_</c>...), when one was issued.</summary>
    public string? TokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Wrong passwords in a row since the last sign-in; <see cref="OperatorsOptions.LockoutAttempts"/> while locked, and
    /// counted from 0 again once the lock has passed.
    /// </summary>
    public int FailedSignIns { get; set; }

    /// <summary>Until when sign-in is refused after too many wrong passwords in a row.</summary>
    public DateTimeOffset? LockedUntil { get; set; }
}

/// <summary>What an operator may do: viewers look, operators act on writes, admins also manage operators.</summary>
public static class OperatorRoles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [Viewer, Operator, Admin];

    public static bool IsKnown(string? role) => role is Viewer or Operator or Admin;
}
