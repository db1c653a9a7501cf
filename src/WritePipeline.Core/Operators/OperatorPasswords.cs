using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace WritePipeline.Operators;

/// <summary>
/// Operators' passwords: one hasher (ASP.NET Core Identity's PBKDF2 unless the container says otherwise) for setting and
/// checking them, and a stand-in hash to check a password against when there is no account, made once with the same
/// hasher and settings, so that a sign-in as an unknown name costs what a wrong password costs.
/// </summary>
public sealed class OperatorPasswords(IPasswordHasher<Operator> hasher)
{
    static readonly Operator Nobody = new() { Name = string.Empty, Role = OperatorRoles.Viewer, PasswordHash = string.Empty };

    readonly Lazy<string> _standIn = new(() => hasher.HashPassword(Nobody, RandomNumberGenerator.GetHexString(32)));

    public string Hash(Operator account, string password) => hasher.HashPassword(account, password);

    /// <summary>Whether <paramref name="password"/> is the account's (a hash in an older format still counts).</summary>
    public bool Verify(Operator account, string password) =>
        hasher.VerifyHashedPassword(account, account.PasswordHash, password) != PasswordVerificationResult.Failed;

    /// <summary>The work of <see cref="Verify"/> without an account; its answer is always no.</summary>
    public void VerifyWithoutAccount(string password) => hasher.VerifyHashedPassword(Nobody, _standIn.Value, password);
}
