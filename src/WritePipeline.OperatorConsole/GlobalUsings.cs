global using WritePipeline.Admin;
