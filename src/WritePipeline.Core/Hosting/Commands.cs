using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WritePipeline.Clients;
using WritePipeline.Data;
using WritePipeline.Collections;

namespace WritePipeline.Hosting;

/// <summary>
/// Administrative commands a host runs instead of serving: <c>migrate</c>, <c>migrate script [FILE]</c>,
/// <c>clients create NAME [--grant COLLECTION:rw]... [--rate N]</c>, <c>clients conflict-policy CLIENT-ID auto|notify|park|collection</c>,
/// <c>operators create NAME viewer|operator|admin</c>. With no command the host runs.
/// </summary>
public static class Commands
{
    public static async Task<int> RunWritePipelineAsync(this WebApplication app, string[] args)
    {
        var (rates, afterRates) = TakeOptions(args, "--rate");
        var (grants, others) = TakeOptions(afterRates, "--grant");
        var words = others.Where(a => !a.StartsWith('-') && !a.Contains('=')).ToArray();
        if (words.Length == 0)
        {
            await RunUntilStoppedAsync(app);
            return 0;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        switch (words)
        {
            case ["migrate"]:
                await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
                Console.WriteLine("Database is up to date.");
                return 0;
            case ["migrate", "script", .. var rest]:
                var script = services.GetRequiredService<DatabaseMigrator>().Script();
                if (rest.Length > 0)
                {
                    await File.WriteAllTextAsync(rest[0], script);
                }
                else
                {
                    Console.WriteLine(script);
                }

                return 0;
            case ["clients", "create", var name]:
                return await CreateClientAsync(services, name, rates.Count > 0 ? rates[^1] : null, grants);
            case ["clients", "conflict-policy", var id, var policy] when Guid.TryParse(id, out var clientId)
                && (policy == "collection" || ConflictPolicies.IsKnown(policy)):
                var clients = services.GetService<ClientRegistry>()
                    ?? throw new InvalidOperationException("Clients are managed from the API host.");
                if (!await clients.SetConflictPolicyAsync(clientId, policy == "collection" ? null : policy, CancellationToken.None))
                {
                    await Console.Error.WriteLineAsync($"No client {clientId}.");
                    return 1;
                }

                Console.WriteLine($"Client {clientId}: conflict policy {policy}.");
                return 0;
            case ["operators", "create", var name, var role]:
                var administration = services.GetService<Operators.OperatorAdministration>()
                    ?? throw new InvalidOperationException("Operators are managed from the API host.");
                switch (await administration.CreateAsync(name, role, "command-line", CancellationToken.None))
                {
                    case Operators.OperatorChange.Done { Credentials: { } created }:
                        Console.WriteLine($"Created {created.Operator.Role} '{created.Operator.Name}' ({created.Operator.Id}).");
                        Console.WriteLine($"Password (shown once): {created.Password}");
                        Console.WriteLine($"Admin API token (shown once): {created.Token}");
                        return 0;
                    case Operators.OperatorChange.Invalid invalid:
                        await Console.Error.WriteLineAsync(invalid.Detail);
                        return 2;
                    default:
                        return 1;
                }

            default:
                await Console.Error.WriteLineAsync(
                    "Unknown command. Commands: migrate | migrate script [FILE] | clients create NAME [--grant COLLECTION:r|w|rw]... [--rate N] | clients conflict-policy CLIENT-ID auto|notify|park|collection | operators create NAME viewer|operator|admin");
                return 2;
        }
    }

    /// <summary>
    /// Runs the host until it is told to stop. A stop (SIGTERM) that comes while the host is still starting cancels the
    /// start, and a service cut short may throw; that is still a stop, not a crash: the services already started are
    /// stopped in order (a worker hands its partitions over) and the host exits normally.
    /// </summary>
    static async Task RunUntilStoppedAsync(WebApplication app)
    {
        try
        {
            try
            {
                await app.StartAsync();
            }
            catch (Exception ex) when (app.Lifetime.ApplicationStopping.IsCancellationRequested)
            {
                app.Logger.LogInformation(ex, "Told to stop while starting; stopping what has started");
            }

            await app.WaitForShutdownAsync();
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    static async Task<int> CreateClientAsync(IServiceProvider services, string name, string? rate, IReadOnlyList<string> grantList)
    {
        var registry = services.GetService<ClientRegistry>()
            ?? throw new InvalidOperationException("Clients are managed from the API host.");
        ClientRate? ownRate = null;
        if (rate is not null)
        {
            if (!int.TryParse(rate, System.Globalization.CultureInfo.InvariantCulture, out var perSecond) || ClientRate.Refusal(perSecond, null) is not null)
            {
                await Console.Error.WriteLineAsync($"--rate is a whole number of requests a second from 0 (no limit) to {ClientRate.MaxPerSecond}.");
                return 2;
            }

            ownRate = new ClientRate(perSecond, ClientRate.DefaultBurstFor(perSecond));
        }

        var (grants, refusal) = CollectionGrants.Parse(grantList);
        if (grants is null)
        {
            await Console.Error.WriteLineAsync(refusal);
            return 2;
        }

        var (client, apiKey) = await registry.CreateAsync(name, grants, ownRate, CancellationToken.None);
        Console.WriteLine($"Created client '{client.Name}' ({client.Id}).");
        Console.WriteLine(grantList.Count == 0
            ? "Grants: none; the client can do nothing until it is given some (--grant COLLECTION:rw, or the admin API)."
            : $"Grants: {grants}.");
        if (ownRate is { } own)
        {
            Console.WriteLine($"Rate limit: {own.PerSecond} requests a second, bursts of {own.Burst} (per API process).");
        }

        Console.WriteLine($"API key (shown once, store it now): {apiKey}");
        return 0;
    }

    /// <summary>The values of every <c>--name VALUE</c> (or <c>--name=VALUE</c>), and the arguments without them.</summary>
    static (IReadOnlyList<string> Values, string[] Others) TakeOptions(string[] args, string name)
    {
        var values = new List<string>();
        var others = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == name && i + 1 < args.Length)
            {
                values.Add(args[++i]);
            }
            else if (args[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                values.Add(args[i][(name.Length + 1)..]);
            }
            else
            {
                others.Add(args[i]);
            }
        }

        return (values, [.. others]);
    }
}
