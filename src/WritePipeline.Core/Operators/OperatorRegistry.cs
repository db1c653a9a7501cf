using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WritePipeline.Clients;
using WritePipeline.Data;

namespace WritePipeline.Operators;

/// <summary>Creates operators, checks their passwords, issues and finds their admin API tokens.</summary>
public sealed class OperatorRegistry(WritePipelineDbContext db, OperatorPasswords passwords, TimeProvider clock, IOptions<OperatorsOptions> options)
{
    const string TokenPrefix = "wpo_";

    public async Task<Operator> CreateAsync(string name, string role, string password, CancellationToken cancellationToken)
    {
        if (!OperatorRoles.IsKnown(role))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "A role is viewer, operator or admin.");
        }

        var account = new Operator { Id = Guid.CreateVersion7(), Name = name, Role = role, PasswordHash = string.Empty, CreatedAt = clock.GetUtcNow() };
        SetPassword(account, password);
        db.Operators.Add(account);
        await db.SaveChangesAsync(cancellationToken);
        return account;
    }

    public void SetPassword(Operator account, string password) => account.PasswordHash = passwords.Hash(account, password);

    /// <summary>
    /// The operator whose name and password these are, or null. After <see cref="OperatorsOptions.LockoutAttempts"/>
    /// wrong passwords in a row the account is locked for <see cref="OperatorsOptions.LockoutDuration"/>: even the right
    /// password is refused then, and the answer is the same as for a wrong one (no hint which names exist). Every
    /// attempt checks one password, whether the name exists, is locked or not, so the time of the answer tells nothing
    /// either.
    /// </summary>
    public async Task<Operator?> SignInAsync(string name, string password, CancellationToken cancellationToken)
    {
        var account = await db.Operators.AsNoTracking().SingleOrDefaultAsync(o => o.Name == name, cancellationToken);
        if (account is null)
        {
            passwords.VerifyWithoutAccount(password);
            return null;
        }

        var now = clock.GetUtcNow();
        var right = passwords.Verify(account, password);
        if (account.LockedUntil > now)
        {
            return null;
        }

        if (!right)
        {
            await CountWrongPasswordAsync(account.Id, now);
            return null;
        }

        if (account.FailedSignIns != 0 || account.LockedUntil is not null)
        {
            await db.Operators.Where(o => o.Id == account.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(o => o.FailedSignIns, 0).SetProperty(o => o.LockedUntil, (DateTimeOffset?)null), cancellationToken);
        }

        return account;
    }

    /// <summary>
    /// Counts a wrong password, and locks the account at the limit. One conditional UPDATE, not a read and a write:
    /// concurrent wrong passwords each count (none overwrites another's count), and none counts once the account is
    /// locked, since the database checks the condition on the row as the statement before it left it. So at most
    /// <see cref="OperatorsOptions.LockoutAttempts"/> wrong passwords are taken before the lock, however many arrive
    /// at once. The count stays at the limit while the account is locked and starts again after.
    /// </summary>
    async Task CountWrongPasswordAsync(Guid operatorId, DateTimeOffset now)
    {
        var lockout = options.Value;
        var limit = lockout.LockoutAttempts;
        DateTimeOffset? lockedUntil = now + lockout.LockoutDuration;
        await db.Operators
            .Where(o => o.Id == operatorId && (o.LockedUntil == null || o.LockedUntil <= now))
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(o => o.FailedSignIns, o => o.LockedUntil == null ? o.FailedSignIns + 1 : 1)
                    .SetProperty(o => o.LockedUntil, o => (o.LockedUntil == null ? o.FailedSignIns + 1 : 1) >= limit ? lockedUntil : null),
                CancellationToken.None); // a wrong password counts even when the caller has gone
    }

    /// <summary>Issues a new admin API token (replacing the previous one); this is the only time it exists in clear.</summary>
    public async Task<string> IssueTokenAsync(Guid operatorId, CancellationToken cancellationToken)
    {
        var token = ApiKeys.NewToken(TokenPrefix);
        await SetTokenAsync(operatorId, token, cancellationToken);
        return token;
    }

    internal async Task SetTokenAsync(Guid operatorId, string token, CancellationToken cancellationToken) =>
        await db.Operators.Where(o => o.Id == operatorId)
            .ExecuteUpdateAsync(set => set.SetProperty(o => o.TokenHash, ApiKeys.Hash(token)), cancellationToken);

    public Task<Operator?> FindByTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            return Task.FromResult<Operator?>(null);
        }

        var hash = ApiKeys.Hash(token);
        return db.Operators.AsNoTracking().SingleOrDefaultAsync(o => o.TokenHash == hash, cancellationToken);
    }

    /// <summary>Makes sure the Development operator exists, with this password and token.</summary>
    public async Task EnsureAsync(string name, string password, string token, CancellationToken cancellationToken)
    {
        var account = await db.Operators.AsNoTracking().SingleOrDefaultAsync(o => o.Name == name, cancellationToken)
            ?? await CreateAsync(name, OperatorRoles.Admin, password, cancellationToken);
        await SetTokenAsync(account.Id, token, cancellationToken);
    }
}
