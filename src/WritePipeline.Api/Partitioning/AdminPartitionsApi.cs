using Microsoft.AspNetCore.Http.HttpResults;
using WritePipeline.Operators;

namespace WritePipeline.Partitioning;

/// <summary>Which worker owns which partition, for operators and scripts.</summary>
public static class AdminPartitionsApi
{
    public static IEndpointRouteBuilder MapAdminPartitionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/admin/partitions", Read).RequireAuthorization(OperatorPolicies.View)
            .WithTags("Admin")
            .WithName("AdminPartitions")
            .WithDescription("Each partition's lease (owner worker, epoch, expiry), its queue's consumers and ready messages as the broker says, and the workers sharing the partitions. Viewer role or above.")
            .WithSummary("Each partition's owner, its queue's consumers and ready messages, and the workers sharing the partitions")
            .WithDescription("owner is null while no worker holds the partition's lease; consumers and ready are null when the broker could not be asked (brokerUnavailableReason says why).")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    static async Task<Ok<PartitionOwnersSnapshot>> Read(PartitionOwners owners, HttpContext http) =>
        TypedResults.Ok(await owners.ReadAsync(http.RequestAborted));
}
