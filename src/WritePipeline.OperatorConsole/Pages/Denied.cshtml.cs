namespace WritePipeline.OperatorConsole.Pages;

/// <summary>The page a signed-in operator sees when their role does not allow an action; it has nothing to handle.</summary>
public sealed class DeniedModel : ConsolePageModel;
