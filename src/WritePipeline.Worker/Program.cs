using WritePipeline.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddWritePipeline();
builder.AddWritePipelineWorker();

var app = builder.Build();
app.MapWritePipelineHealth();
return await app.RunWritePipelineAsync(args);
