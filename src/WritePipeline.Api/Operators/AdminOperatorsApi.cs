using Microsoft.AspNetCore.Http.HttpResults;
using WritePipeline.Problems;

namespace WritePipeline.Operators;

/// <summary>A new operator, or a change of role.</summary>
public sealed record OperatorRequest(string? Name, string? Role);

/// <summary>Admins manage operator accounts (the console's Operators page, for scripts). Every change is audited.</summary>
public static class AdminOperatorsApi
{
    public static IEndpointRouteBuilder MapAdminOperatorsApi(this IEndpointRouteBuilder app)
    {
        var operators = app.MapGroup("/v1/admin/operators")
            .WithTags("Admin")
            .RequireAuthorization(OperatorPolicies.Administer)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        operators.MapGet("", List).WithName("AdminListOperators")
            .WithDescription("Every operator account with its role and when it was made; passwords and tokens are never shown. Admin role.").WithSummary("Operator accounts and their roles (never passwords or tokens)");
        operators.MapPost("", Create).WithName("AdminCreateOperator")
            .WithDescription("Creates an operator with a generated password (for the console) and admin API token, both in this answer only. Admin role; audited as operator.create.").WithSummary("A new operator; the answer carries its password and admin API token, once")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        operators.MapPatch("/{operatorId:guid}", ChangeRole).WithName("AdminChangeOperatorRole")
            .WithDescription("Changes an operator's role (viewer, operator, admin); the last admin cannot stop being one (409). The operator's open console sessions end. Admin role; audited as operator.role.").WithSummary("Change an operator's role (the last admin stays admin)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        operators.MapPost("/{operatorId:guid}/credentials", Reset).WithName("AdminResetOperatorCredentials")
            .WithDescription("Issues a new password and admin API token, shown in this answer only; the old ones and open console sessions stop working at once. Admin role; audited as operator.credentials.")
            .WithSummary("A new password and admin API token, shown once; the old ones stop working")
            .ProducesProblem(StatusCodes.Status404NotFound);
        operators.MapDelete("/{operatorId:guid}", Remove).WithName("AdminRemoveOperator")
            .WithDescription("Removes an operator account (not the last admin: 409). Admin role; audited as operator.remove.").WithSummary("Remove an operator (not the last admin)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    static async Task<Ok<IReadOnlyList<OperatorView>>> List(OperatorAdministration administration, HttpContext http) =>
        TypedResults.Ok(await administration.ListAsync(http.RequestAborted));

    static async Task<Results<Created<OperatorCredentials>, ProblemHttpResult>> Create(OperatorRequest request, OperatorAdministration administration, HttpContext http) =>
        await administration.CreateAsync(request.Name, request.Role, http.User.Actor(), http.RequestAborted) switch
        {
            OperatorChange.Done { Credentials: { } created } => TypedResults.Created("/v1/admin/operators", created),
            var other => Problem(other, Guid.Empty),
        };

    static async Task<Results<Ok<OperatorView>, ProblemHttpResult>> ChangeRole(Guid operatorId, OperatorRequest request, OperatorAdministration administration, HttpContext http) =>
        await administration.ChangeRoleAsync(operatorId, request.Role, http.User.Actor(), http.RequestAborted) switch
        {
            OperatorChange.Done done => TypedResults.Ok(done.Operator),
            var other => Problem(other, operatorId),
        };

    static async Task<Results<Ok<OperatorCredentials>, ProblemHttpResult>> Reset(Guid operatorId, OperatorAdministration administration, HttpContext http) =>
        await administration.ResetCredentialsAsync(operatorId, http.User.Actor(), http.RequestAborted) switch
        {
            OperatorChange.Done { Credentials: { } credentials } => TypedResults.Ok(credentials),
            var other => Problem(other, operatorId),
        };

    static async Task<Results<NoContent, ProblemHttpResult>> Remove(Guid operatorId, OperatorAdministration administration, HttpContext http) =>
        await administration.RemoveAsync(operatorId, http.User.Actor(), http.RequestAborted) switch
        {
            OperatorChange.Removed => TypedResults.NoContent(),
            var other => Problem(other, operatorId),
        };

    static ProblemHttpResult Problem(OperatorChange change, Guid operatorId) => change switch
    {
        OperatorChange.Invalid invalid => OperatorProblems.InvalidOperator(invalid.Detail).ToResult(),
        OperatorChange.Refused refused => OperatorProblems.OperatorChangeRefused(refused.Detail).ToResult(),
        _ => OperatorProblems.OperatorNotFound(operatorId).ToResult(),
    };
}
