using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Clients;
using WritePipeline.Data;

namespace WritePipeline.Hosting;

/// <summary>
/// Administrative commands a host runs instead of serving: <c>migrate</c>, <c>migrate script [FILE]</c>,
/// <c>clients create NAME</c>, <c>clients conflict-policy CLIENT-ID auto|notify|park|collection</c>,
/// <c>operators create NAME viewer|operator|admin</c>. With no command the host runs.
/// </summary>
public static class Commands
{
    public static async Task<int> RunWritePipelineAsync(this WebApplication app, string[] args)
    {
        var words = args.Where(a => !a.StartsWith('-') && !a.Contains('=')).ToArray();
        if (words.Length == 0)
        {
            await app.RunAsync();
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
                var registry = services.GetService<ClientRegistry>()
                    ?? throw new InvalidOperationException("Clients are managed from the API host.");
                var (client, apiKey) = await registry.CreateAsync(name, CancellationToken.None);
                Console.WriteLine($"Created client '{client.Name}' ({client.Id}).");
                Console.WriteLine($"API key (shown once, store it now): {apiKey}");
                return 0;
            case ["clients", "conflict-policy", var id, var policy] when Guid.TryParse(id, out var clientId)
                && (policy == "collection" || Conflicts.ConflictPolicies.IsKnown(policy)):
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
                    "Unknown command. Commands: migrate | migrate script [FILE] | clients create NAME | clients conflict-policy CLIENT-ID auto|notify|park|collection | operators create NAME viewer|operator|admin");
                return 2;
        }
    }
}
