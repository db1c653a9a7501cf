using System.Data;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WritePipeline.Audit;
using WritePipeline.Data;
using WritePipeline.Json;

namespace WritePipeline.Operators;

/// <summary>An operator account as admins see it (never its password or token).</summary>
public sealed record OperatorView(Guid Id, string Name, string Role, DateTimeOffset CreatedAt, bool HasToken)
{
    public static OperatorView For(Operator account) => new(account.Id, account.Name, account.Role, account.CreatedAt, account.TokenHash is not null);
}

/// <summary>New credentials, shown once: the password for the console and the admin API token.</summary>
public sealed record OperatorCredentials(OperatorView Operator, string Password, string Token);

public abstract record OperatorChange
{
    OperatorChange()
    {
    }

    public sealed record Done(OperatorView Operator, OperatorCredentials? Credentials = null) : OperatorChange;

    public sealed record Removed : OperatorChange;

    public sealed record Invalid(string Detail) : OperatorChange;

    /// <summary>Refused because it would leave nobody able to manage operators.</summary>
    public sealed record Refused(string Detail) : OperatorChange;

    public sealed record NotFound : OperatorChange;
}

/// <summary>
/// Admins manage operator accounts: create, change a role, issue new credentials, remove; each audited. There is
/// always at least one admin left, so the console can never lock its own administrators out.
/// </summary>
public sealed class OperatorAdministration(WritePipelineDbContext db, OperatorRegistry registry, AuditLog audit)
{
    public const int MaxNameLength = 100;

    public async Task<IReadOnlyList<OperatorView>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await db.Operators.AsNoTracking().OrderBy(o => o.Name).ToListAsync(cancellationToken)).Select(OperatorView.For)];

    public async Task<OperatorChange> CreateAsync(string? name, string? role, string actor, CancellationToken cancellationToken)
    {
        name = name?.Trim();
        if ((NameRefusal(name) ?? RoleRefusal(role)) is { } invalid)
        {
            return invalid;
        }

        if (await db.Operators.AnyAsync(o => o.Name == name, cancellationToken))
        {
            return new OperatorChange.Invalid($"The name '{name}' is taken.");
        }

        var password = NewPassword();
        Operator account;
        try
        {
            account = await registry.CreateAsync(name!, role!, password, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Created at the same moment by someone else: the unique index decided.
            return new OperatorChange.Invalid($"The name '{name}' is taken.");
        }

        var token = await registry.IssueTokenAsync(account.Id, cancellationToken);
        await RecordAsync(actor, "operator.create", account, null, new JsonObject { ["role"] = account.Role });
        var view = OperatorView.For(account) with { HasToken = true };
        return new OperatorChange.Done(view, new OperatorCredentials(view, password, token));
    }

    public async Task<OperatorChange> ChangeRoleAsync(Guid id, string? role, string actor, CancellationToken cancellationToken)
    {
        if (RoleRefusal(role) is { } invalid)
        {
            return invalid;
        }

        var before = (string?)null;
        var changed = await AsTheOnlyChangeAsync(
            async () =>
            {
                var account = await db.Operators.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
                if (account is null)
                {
                    return (new OperatorChange.NotFound(), null);
                }

                if (account.Role == OperatorRoles.Admin && role != OperatorRoles.Admin && await IsLastAdminAsync(cancellationToken))
                {
                    return (new OperatorChange.Refused("This is the last admin; make another admin first."), null);
                }

                before = account.Role;
                account.Role = role!;
                await db.SaveChangesAsync(cancellationToken);
                return (new OperatorChange.Done(OperatorView.For(account)), account);
            },
            cancellationToken);
        if (changed.Account is { } changedAccount)
        {
            await RecordAsync(actor, "operator.role", changedAccount, new JsonObject { ["role"] = before }, new JsonObject { ["role"] = changedAccount.Role });
        }

        return changed.Change;
    }

    /// <summary>A new password and a new admin API token; the old ones stop working at once.</summary>
    public async Task<OperatorChange> ResetCredentialsAsync(Guid id, string actor, CancellationToken cancellationToken)
    {
        var account = await db.Operators.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (account is null)
        {
            return new OperatorChange.NotFound();
        }

        var password = NewPassword();
        registry.SetPassword(account, password);
        // New credentials also end a lockout: the admin has just vouched for whoever receives them.
        account.FailedSignIns = 0;
        account.LockedUntil = null;
        await db.SaveChangesAsync(cancellationToken);
        var token = await registry.IssueTokenAsync(account.Id, cancellationToken);
        await RecordAsync(actor, "operator.credentials", account, null, null);
        var view = OperatorView.For(account) with { HasToken = true };
        return new OperatorChange.Done(view, new OperatorCredentials(view, password, token));
    }

    public async Task<OperatorChange> RemoveAsync(Guid id, string actor, CancellationToken cancellationToken)
    {
        var removed = await AsTheOnlyChangeAsync(
            async () =>
            {
                var account = await db.Operators.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
                if (account is null)
                {
                    return (new OperatorChange.NotFound(), null);
                }

                if (account.Role == OperatorRoles.Admin && await IsLastAdminAsync(cancellationToken))
                {
                    return (new OperatorChange.Refused("This is the last admin; make another admin first."), null);
                }

                db.Operators.Remove(account);
                await db.SaveChangesAsync(cancellationToken);
                return (new OperatorChange.Removed(), account);
            },
            cancellationToken);
        if (removed.Account is { } account)
        {
            await RecordAsync(actor, "operator.remove", account, new JsonObject { ["role"] = account.Role }, null);
        }

        return removed.Change;
    }

    /// <summary>
    /// Runs a change that must see every other one (the last-admin rule: two admins demoting each other at once must
    /// not both succeed) in a serializable transaction; when the database refuses it for a concurrent change, says so.
    /// </summary>
    async Task<(OperatorChange Change, Operator? Account)> AsTheOnlyChangeAsync(Func<Task<(OperatorChange, Operator?)>> change, CancellationToken cancellationToken)
    {
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
            var result = await change();
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        catch (Exception ex) when (ex is DbUpdateException or DbException)
        {
            db.ChangeTracker.Clear();
            return (new OperatorChange.Refused("Operator accounts changed at the same moment; read them again and retry."), null);
        }
    }

    async Task<bool> IsLastAdminAsync(CancellationToken cancellationToken) =>
        await db.Operators.CountAsync(o => o.Role == OperatorRoles.Admin, cancellationToken) <= 1;

    // An action taken is audited even when its caller has gone.
    Task RecordAsync(string actor, string action, Operator account, JsonObject? before, JsonObject? after) =>
        audit.RecordAsync(
            new AuditEntry
            {
                Actor = actor,
                Action = action,
                Subject = $"operator {account.Name} ({account.Id})",
                Outcome = AuditOutcomes.Taken,
                Before = before?.ToReadableJson(),
                After = after?.ToReadableJson(),
            },
            CancellationToken.None);

    static string NewPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));

    static OperatorChange.Invalid? NameRefusal(string? name) =>
        string.IsNullOrEmpty(name) || name.Length > MaxNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
            ? new OperatorChange.Invalid($"A name is 1 to {MaxNameLength} letters, digits, '.', '_' or '-'.")
            : null;

    static OperatorChange.Invalid? RoleRefusal(string? role) =>
        OperatorRoles.IsKnown(role) ? null : new OperatorChange.Invalid("A role is viewer, operator or admin.");
}
