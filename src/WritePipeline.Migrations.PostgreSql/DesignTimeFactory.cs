using Microsoft.EntityFrameworkCore.Design;
using WritePipeline.Data;

namespace WritePipeline.Migrations.PostgreSql;

/// <summary>Lets <c>dotnet ef migrations add</c> build the context for this provider without a host; nothing connects.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<WritePipelineDbContext>
{
    public WritePipelineDbContext CreateDbContext(string[] args) =>
        DataRegistration.CreateContext(DatabaseProvider.PostgreSql, "Host=localhost;Database=design");
}
