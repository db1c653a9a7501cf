using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;

namespace WritePipeline.Clients;

/// <summary>The clients' table, as sets of <see cref="WritePipelineDbContext"/> (why: see there).</summary>
public static class ClientTables
{
    extension(WritePipelineDbContext db)
    {
        public DbSet<Client> Clients => db.Set<Client>();
    }
}
