using WritePipeline.Hosting;
using WritePipeline.OperatorConsole;

var builder = WebApplication.CreateBuilder(args);
builder.AddWritePipeline();
builder.AddWritePipelineApi();
if (builder.RunsWorkerInProcess())
{
    builder.AddWritePipelineWorker();
}

builder.AddWritePipelineConsole();

var app = builder.Build();
app.MapWritePipelineApi();
app.MapWritePipelineConsole();
app.MapWritePipelineHealth();
return await app.RunWritePipelineAsync(args);

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
