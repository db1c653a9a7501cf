using WritePipeline.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddWritePipeline();
builder.AddWritePipelineApi();

var app = builder.Build();
app.MapWritePipelineApi();
app.MapWritePipelineHealth();
return await app.RunWritePipelineAsync(args);

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
